import { Paper, Text } from '@mantine/core';

/** A headline figure: label, value in its colour, and a line of context. */
export function StatTile({ label, value, hint, color, testId }: { label: string; value: React.ReactNode; hint: React.ReactNode; color?: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {/* A div: the value may be an element (a badge, a styled figure), which a paragraph cannot hold. */}
      <Text component="div" fz={28} fw={700} c={color} data-testid={testId}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Paper>
  );
}
