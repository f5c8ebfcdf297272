import { Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';

export type PageSectionLink = { id: string; title: string };

/** A bar of links to the sections of a long page, kept in view under the header while the page scrolls. */
export function SectionNav({ sections, label }: { sections: PageSectionLink[]; label: string }) {
  return (
    <Paper
      component="nav"
      aria-label={label}
      withBorder
      radius="md"
      px="md"
      py={6}
      mb="lg"
      pos="sticky"
      top="var(--app-shell-header-height, 0px)"
      style={{ zIndex: 3 }}
      data-testid="section-nav"
    >
      {/* One line at any width: on a phone it scrolls sideways rather than covering the page. */}
      <Group gap="md" wrap="nowrap" style={{ overflowX: 'auto', whiteSpace: 'nowrap', scrollbarWidth: 'none' }}>
        <Text size="xs" c="dimmed" fw={600} tt="uppercase" visibleFrom="sm">
          On this page
        </Text>
        {sections.map((section) => (
          <Anchor key={section.id} href={`#${section.id}`} size="sm">
            {section.title}
          </Anchor>
        ))}
      </Group>
    </Paper>
  );
}

/** One section of a long page: a heading the section nav jumps to (clear of the sticky bars). */
export function PageSection({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Stack component="section" gap="md" aria-labelledby={`${id}-title`} id={id} style={{ scrollMarginTop: 'calc(var(--app-shell-header-height, 0px) + 72px)' }}>
      <Title order={2} size="h3" id={`${id}-title`}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}
