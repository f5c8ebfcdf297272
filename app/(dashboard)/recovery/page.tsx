import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { Accordion, AccordionControl, AccordionItem, AccordionPanel, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconFileDescription } from '@tabler/icons-react';
import { ComplianceGrid } from '@/components/recovery/compliance-grid';
import { ComponentForm } from '@/components/recovery/component-form';
import { EpisodesTable } from '@/components/recovery/episodes-table';
import { EvidenceHowTo } from '@/components/recovery/evidence-howto';
import { withPeriod } from '@/components/recovery/links';
import { PeriodSelect } from '@/components/recovery/period-select';
import { PostureList } from '@/components/recovery/posture-list';
import { SummaryTiles } from '@/components/recovery/summary-tiles';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getCompliance, listEpisodes } from '@/lib/recovery/data';
import { periodFromSearch } from '@/lib/recovery/period';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Recovery (RTO/RPO)' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function RecoveryPage({ searchParams }: Props) {
  const user = await requirePageUser('estate.read');
  const { period, choices, now } = periodFromSearch((await searchParams).period, 'rolling');
  if (!period) {
    return (
      <EmptyState title="No such period" action={<LinkAnchor href="/recovery">The last 90 days</LinkAnchor>}>
        Periods are a quarter (2026-Q3), 90d for the last 90 days, or two dates (2026-07-01..2026-08-15), and must have started.
      </EmptyState>
    );
  }
  const [compliance, { episodes, total }, host] = await Promise.all([getCompliance(period, now), listEpisodes(period, { limit: 25 }), headers()]);
  const canWrite = hasPermission(user.role, 'recovery.write');
  const origin = `${host.get('x-forwarded-proto') ?? 'http'}://${host.get('host') ?? 'localhost'}`;
  return (
    <>
      <PageHeader
        title="Recovery (RTO/RPO)"
        description="Are we within our recovery objectives, and how do we know? Each objective is judged by what really happened: disruption episodes Standby measured in its own traffic, drills, and the backups and restore tests components report. No evidence within 90 days reads unverified, never compliant. Times are UTC."
        actions={
          <>
            <PeriodSelect value={period.key} choices={choices} />
            <Button component="a" href={withPeriod('/recovery/report', period.key)} variant="light" leftSection={<IconFileDescription size={16} />}>
              Report
            </Button>
            {canWrite && <ComponentForm />}
          </>
        }
      />
      <Stack gap="lg">
        <SummaryTiles summary={compliance.summary} />
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="grid-title">
          <Group justify="space-between" mb="xs">
            <Title order={4} id="grid-title">
              Compliance: {compliance.period.label}
            </Title>
            <Text size="xs" c="dimmed">
              Verdict by worst measured / objective: below 1x compliant, up to 2x exceeded, up to 4x severe, above critical.
            </Text>
          </Group>
          <ComplianceGrid components={compliance.components} periodEnd={compliance.period.to} canWrite={canWrite} />
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="posture-title">
          <Title order={4} id="posture-title" mb={4}>
            Posture per service: what to do
          </Title>
          <Text size="xs" c="dimmed" mb="sm">
            Four checks per component and disruption: an objective is set, the configuration can meet it, fresh evidence measures it, nothing breached it. Each item says which checks it would make pass.
          </Text>
          <PostureList services={compliance.services} estate={compliance.estate} />
        </Card>
        <Card withBorder radius="md" padding="md" component="section" aria-labelledby="episodes-title">
          <Title order={4} id="episodes-title" mb="sm">
            Disruption episodes
          </Title>
          <EpisodesTable episodes={episodes} total={total} emptyText="Standby found no period in which a service or target could not serve. Episodes appear here within seconds of a breaker opening, a burst of errors, a tier below Full or a forced failover." />
        </Card>
        <Accordion variant="contained">
          <AccordionItem value="howto">
            <AccordionControl>Reporting backups, replica lag and restore tests from outside Standby</AccordionControl>
            <AccordionPanel>
              <EvidenceHowTo origin={origin} />
            </AccordionPanel>
          </AccordionItem>
        </Accordion>
      </Stack>
    </>
  );
}
