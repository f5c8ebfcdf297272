import { Group } from '@mantine/core';
import { LinkAnchor } from '@/components/ui/link-anchor';

const TABS = [
  { href: '/backups', label: 'Model backups' },
  { href: '/backups/config', label: 'Configuration history' },
  { href: '/backups/conversations', label: 'Conversations' },
] as const;

/** The three kinds of state the Backups area keeps; `current` is underlined. */
export function BackupsTabs({ current }: { current: (typeof TABS)[number]['href'] }) {
  return (
    <Group gap="lg" mb="md" component="nav" aria-label="Backups and state">
      {TABS.map((tab) => (
        <LinkAnchor key={tab.href} href={tab.href} fw={tab.href === current ? 700 : 500} underline={tab.href === current ? 'always' : 'hover'} c={tab.href === current ? undefined : 'dimmed'} aria-current={tab.href === current ? 'page' : undefined}>
          {tab.label}
        </LinkAnchor>
      ))}
    </Group>
  );
}
