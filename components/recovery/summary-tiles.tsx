import { Paper, SimpleGrid, Text } from '@mantine/core';
import type { ComplianceSummary } from '@/lib/recovery/data';

function Tile({ label, value, hint, color, testId }: { label: string; value: React.ReactNode; hint: string; color?: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={24} fw={700} c={color} data-testid={testId}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Paper>
  );
}

export function SummaryTiles({ summary }: { summary: ComplianceSummary }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm">
      <Tile label="Breached" testId="summary-breached" value={summary.breached} color={summary.critical > 0 ? 'red' : summary.breached > 0 ? 'orange' : 'teal'} hint={`${summary.critical} critical, of ${summary.cells} objectives`} />
      <Tile label="Compliant" testId="summary-compliant" value={summary.compliant} color="teal" hint="measured within the objective, evidence under 90 days old" />
      <Tile label="At risk by design" testId="summary-at-risk" value={summary.atRisk} color={summary.atRisk > 0 ? 'orange' : 'teal'} hint="the configuration cannot meet the objective" />
      <Tile label="Unverified or no evidence" testId="summary-unverified" value={summary.unverified + summary.noEvidence} color={summary.unverified + summary.noEvidence > 0 ? 'gray' : 'teal'} hint="nothing measured them recently: run a drill" />
      <Tile label="Episodes" testId="summary-episodes" value={summary.episodes} hint={summary.openEpisodes ? `${summary.openEpisodes} still open` : 'all recovered'} color={summary.openEpisodes ? 'red' : undefined} />
    </SimpleGrid>
  );
}
