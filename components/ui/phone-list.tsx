// On a phone, a table's rows as a list of a few lines each, every figure in view; hidden from `sm` up, where
// the table shows instead (pair it with the table's `visibleFrom="sm"`).
import { Box, Stack } from '@mantine/core';

export function PhoneList({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0} hiddenFrom="sm" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label={label}>
      {children}
    </Stack>
  );
}

export function PhoneListItem({ children }: { children: React.ReactNode }) {
  return (
    <Box component="li" py="xs" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
      {children}
    </Box>
  );
}
