import { SimpleGrid } from '@mantine/core';
import { StatTile } from '@/components/ui/stat-tile';
import type { ComplianceSummary } from '@/lib/recovery/data';

export function SummaryTiles({ summary }: { summary: ComplianceSummary }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
      <StatTile label="Breached" testId="summary-breached" value={summary.breached} color={summary.critical > 0 ? 'red' : summary.breached > 0 ? 'orange' : 'teal'} hint={`${summary.critical} critical, of ${summary.cells} objectives`} />
      <StatTile label="Compliant" testId="summary-compliant" value={summary.compliant} color="teal" hint="measured within the objective, evidence under 90 days old" />
      <StatTile label="At risk by design" testId="summary-at-risk" value={summary.atRisk} color={summary.atRisk > 0 ? 'orange' : 'teal'} hint="the configuration cannot meet the objective" />
      <StatTile label="Unverified or no evidence" testId="summary-unverified" value={summary.unverified + summary.noEvidence} color={summary.unverified + summary.noEvidence > 0 ? 'gray' : 'teal'} hint="nothing measured them recently: run a drill" />
      <StatTile label="Episodes" testId="summary-episodes" value={summary.episodes} hint={summary.openEpisodes ? `${summary.openEpisodes} still open` : 'all recovered'} color={summary.openEpisodes ? 'red' : undefined} />
    </SimpleGrid>
  );
}
