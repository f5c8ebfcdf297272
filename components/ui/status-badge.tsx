import { Badge } from '@mantine/core';

// max-content: in a crowded table a badge would otherwise shrink to an ellipsis.
export function StatusBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge color={enabled ? 'green' : 'gray'} variant="light" miw="max-content">
      {enabled ? 'enabled' : 'disabled'}
    </Badge>
  );
}
