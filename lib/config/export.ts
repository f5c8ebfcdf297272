import 'server-only';
// Export of the routing configuration as YAML. The header carries no date, so
// exporting an unchanged estate twice gives identical files.
import { readEstate } from './estate';
import { serializeConfig } from './yaml';

export const EXPORT_HEADER = [
  'Standby routing configuration (configuration as code).',
  'Providers, regions, targets with their breaker settings, and services with their SLO, degradation policy and failover chain.',
  'Credentials appear by name only: secrets never leave Standby.',
  'Live state is not part of it: breaker states, overrides (pin, drain, forced failover), health.',
  'Apply: npm run standby -- config apply <file> [--dry-run] [--prune], POST /api/config, or Admin → Routing configuration.',
];

export async function exportConfig(): Promise<string> {
  const { doc } = await readEstate();
  return serializeConfig(doc, EXPORT_HEADER);
}
