import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Badge, Card, Code, Table, TableTbody, TableTd, TableTh, TableTr } from '@mantine/core';
import { componentHref } from '@/components/recovery/links';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getEvidence } from '@/lib/recovery/data';
import { formatSpan } from '@/lib/recovery/format';
import { DISRUPTION_LABELS, EVIDENCE_KIND_LABELS } from '@/lib/recovery/model';
import { requirePageUser } from '@/lib/server/page-user';
import { formatUtc } from '@/lib/shared/format';

export const metadata: Metadata = { title: 'Recovery evidence' };

export default async function EvidencePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser('estate.read');
  const e = await getEvidence((await params).id);
  if (!e) notFound();
  const rows: [string, React.ReactNode][] = [
    ['Component', <LinkAnchor key="c" href={componentHref(e.componentId)}>{e.component.name}</LinkAnchor>],
    ['Result', e.ok ? <Badge key="r" color="teal" variant="light">ok</Badge> : <Badge key="r" color="red">failed</Badge>],
    ['Observed', formatUtc(e.observedAt, 'second')],
    ['Received', formatUtc(e.receivedAt, 'second')],
    ['Copy holds data up to', e.copyAt ? formatUtc(e.copyAt, 'second') : '—'],
    ['Data at risk it measured', formatSpan(e.rpoMs)],
    ['Restore took', formatSpan(e.restoreMs)],
    ['Disruption', e.disruption ? DISRUPTION_LABELS[e.disruption] : '—'],
    ['Reported by', <Code key="s">{e.source}</Code>],
    ['As sent', <Code key="v" block>{JSON.stringify(e.values, null, 2)}</Code>],
  ];
  return (
    <>
      <LinkAnchor href={componentHref(e.componentId)} size="sm">
        ← {e.component.name}
      </LinkAnchor>
      <PageHeader title={`${EVIDENCE_KIND_LABELS[e.kind]} of ${e.component.name}`} description="Evidence is kept as reported and never edited." />
      <Card withBorder radius="md" padding="md">
        <Table verticalSpacing={6} data-testid="evidence-detail">
          <TableTbody>
            {rows.map(([label, value]) => (
              <TableTr key={label}>
                <TableTh w={220}>{label}</TableTh>
                <TableTd>{value}</TableTd>
              </TableTr>
            ))}
          </TableTbody>
        </Table>
      </Card>
    </>
  );
}
