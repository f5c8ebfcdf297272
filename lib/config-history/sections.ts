import 'server-only';
// The sections configuration history keeps, in the order they are applied.
// A domain joins by adding its section here and writing
// its audit entries through recordConfigChange (writer.ts).
import { routingSection } from '@/lib/config/apply';
import { objectivesSection } from '@/lib/recovery/config-section';
import { runbooksSection } from '@/lib/runbooks/config-section';
import { settingsSection } from '@/lib/settings/config-section';
import type { ConfigSection } from '@/lib/config-versions/section';

export const CONFIG_SECTIONS: readonly ConfigSection[] = [settingsSection, routingSection, objectivesSection, runbooksSection].sort((a, b) => a.order - b.order);

export function sectionByKey(key: string): ConfigSection | undefined {
  return CONFIG_SECTIONS.find((s) => s.key === key);
}

/** The repository's README, committed with every version. */
export const REPOSITORY_README = `# Standby configuration history

Written by Standby: one commit per configuration version (who, why and when are in each commit).

${CONFIG_SECTIONS.map((s) => `- \`${s.file}\`: ${s.title.toLowerCase()}`).join('\n')}

Rebuild an empty Standby from this repository:

    npm run standby -- config rebuild <this repository's path or URL> [--ref <commit>] [--secrets <file>]

Provider credentials appear by name only. Give their secrets to the rebuild in a file of NAME=secret lines
(--secrets) or as environment variables STANDBY_CREDENTIAL_<NAME> (upper case, - and . as _).
`;
