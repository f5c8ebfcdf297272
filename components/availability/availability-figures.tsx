'use client';

import { Badge, Group, Paper, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import { expectedDowntimeMs, MONTH_MS, YEAR_MS, type AvailabilityResult, type Figure } from '@/lib/availability/maths';
import { formatAvailability, formatDowntime } from './format';

/** Colour of a figure: three nines or better reads as healthy, two as a warning. */
const colorOf = (figure: Figure) => (figure.unavailability <= 0.001 ? 'teal' : figure.unavailability <= 0.01 ? 'yellow' : 'red');

function Tile({ label, help, figure, emphasis, testId }: { label: string; help: string; figure: Figure; emphasis?: boolean; testId: string }) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId} style={emphasis ? { borderColor: 'var(--mantine-color-blue-6)' } : undefined}>
      <Stack gap={4}>
        <Tooltip label={help} multiline w={300}>
          <Text size="xs" c="dimmed" td="underline" style={{ textDecorationStyle: 'dotted', cursor: 'help', alignSelf: 'flex-start' }} tabIndex={0}>
            {label}
          </Text>
        </Tooltip>
        <Text fz={26} fw={700} c={colorOf(figure)} ff="monospace" lh={1.2} data-testid={`${testId}-value`}>
          {formatAvailability(figure.unavailability)}
        </Text>
        <Text size="sm" data-testid={`${testId}-downtime`}>
          {formatDowntime(expectedDowntimeMs(figure.unavailability, MONTH_MS))} per month · {formatDowntime(expectedDowntimeMs(figure.unavailability, YEAR_MS))} per year
        </Text>
      </Stack>
    </Paper>
  );
}

/** The chain alone, the naive end-to-end figure and the honest one, each with its expected downtime. */
export function AvailabilityFigures({ result, testIdPrefix }: { result: AvailabilityResult; testIdPrefix: string }) {
  const sharedFateCost = result.independent.unavailability < result.chain.unavailability;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Tile
          testId={`${testIdPrefix}-chain`}
          label="Failover chain alone"
          help="The chain's failure domains in parallel: it is down only when every domain is down. Targets sharing a failure domain count as one, at the availability of the best of them."
          figure={result.chain}
        />
        <Tile
          testId={`${testIdPrefix}-naive`}
          label="With Standby in series (naive)"
          help="The chain × Standby itself, as if detecting a failure and failing over took no time."
          figure={result.naive}
        />
        <Tile
          testId={`${testIdPrefix}-honest`}
          label="With detection and failover (honest)"
          help="The naive figure plus the time every failure of the primary costs before traffic moves on: detection by the breaker, then the failover itself."
          figure={result.honest}
          emphasis
        />
      </SimpleGrid>
      <Group gap="xs">
        {result.honest.addedPerYearMs > 0 && (
          <Text size="sm" c="dimmed">
            Detection and failover add {formatDowntime(result.honest.addedPerYearMs)} of downtime a year.
          </Text>
        )}
        {sharedFateCost && (
          <Badge color="orange" variant="light" tt="none">
            Shared fate: {formatAvailability(result.independent.unavailability)} if every target were independent
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
