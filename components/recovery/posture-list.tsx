import { Accordion, AccordionControl, AccordionItem, AccordionPanel, Badge, Group, List, ListItem, Progress, Stack, Text } from '@mantine/core';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { ServicePosture } from '@/lib/recovery/data';
import type { Posture, PostureAction } from '@/lib/recovery/posture';
import { componentHref, refHref } from './links';

const ACTION_LABELS: Record<PostureAction, { label: string; color: string }> = {
  review_breach: { label: 'Breach', color: 'red' },
  fix_configuration: { label: 'Fix configuration', color: 'orange' },
  set_objective: { label: 'Set objective', color: 'blue' },
  report_evidence: { label: 'Report evidence', color: 'grape' },
  run_drill: { label: 'Run a drill', color: 'gray' },
};

const scoreColor = (score: number) => (score >= 90 ? 'teal' : score >= 70 ? 'yellow' : 'orange');

function Todo({ posture }: { posture: Posture }) {
  if (posture.todo.length === 0) return <Text size="sm" c="teal">Nothing to do: every check passes.</Text>;
  return (
    <List size="sm" spacing={6} listStyleType="none" data-testid="posture-todo">
      {posture.todo.map((item) => (
        <ListItem key={`${item.componentId}-${item.action}`}>
          <Group gap={6} wrap="nowrap" align="flex-start">
            <Badge size="xs" color={ACTION_LABELS[item.action].color} variant="light" tt="none" miw={110} mt={2}>
              {ACTION_LABELS[item.action].label}
            </Badge>
            <Text size="sm">
              {item.text}{' '}
              <Text span size="xs" c="dimmed">
                (+{item.points} check{item.points === 1 ? '' : 's'})
              </Text>{' '}
              <LinkAnchor href={item.ref ? refHref(item.ref) : componentHref(item.componentId)} size="xs">
                {item.ref ? 'open the evidence' : 'open the component'}
              </LinkAnchor>
            </Text>
          </Group>
        </ListItem>
      ))}
    </List>
  );
}

/** Each service's posture: the share of checks that pass, and what to do about the rest. */
export function PostureList({ services, estate }: { services: ServicePosture[]; estate: Posture }) {
  const entries = [...services.map((s) => ({ key: s.serviceId, name: s.serviceName, posture: s.posture })), { key: 'estate', name: 'Shared state (conversations, configuration, outside systems)', posture: estate }];
  return (
    <Accordion variant="separated" multiple defaultValue={entries.filter((e) => e.posture.todo.some((t) => t.action === 'review_breach')).map((e) => e.key).slice(0, 2)} data-testid="posture-list">
      {entries.map((e) => (
        <AccordionItem key={e.key} value={e.key}>
          <AccordionControl>
            <Group justify="space-between" wrap="nowrap" pr="sm">
              <Text fw={600} size="sm">
                {e.name}
              </Text>
              <Group gap="xs" wrap="nowrap">
                <Text size="xs" c="dimmed">
                  {e.posture.todo.length} to do
                </Text>
                <Progress value={e.posture.score} color={scoreColor(e.posture.score)} w={80} size="sm" aria-label={`${e.posture.score}% of checks pass`} />
                <Text size="sm" fw={700} w={96} ta="right">
                  {e.posture.passed}/{e.posture.checks} checks
                </Text>
              </Group>
            </Group>
          </AccordionControl>
          <AccordionPanel>
            <Stack gap="xs">
              <Todo posture={e.posture} />
            </Stack>
          </AccordionPanel>
        </AccordionItem>
      ))}
    </Accordion>
  );
}
