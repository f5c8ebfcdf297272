import type { Metadata } from 'next';
import { Badge, Card, Code, Group, Stack, Table, TableScrollContainer, TableTbody, TableTd, TableTh, TableThead, TableTr, Text, Title } from '@mantine/core';
import { BackupsTabs } from '@/components/backups/backups-tabs';
import { ConversationStoreForm, EraseEndUserForm } from '@/components/conversations/store-forms';
import { formatUtc } from '@/lib/shared/format';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getConversationStores } from '@/lib/conversations/data';
import { formatSpan } from '@/lib/recovery/format';
import { requirePageUser } from '@/lib/server/page-user';
import { hasPermission } from '@/lib/server/permissions';

export const metadata: Metadata = { title: 'Conversations' };

export default async function ConversationsPage() {
  const user = await requirePageUser('estate.read');
  const stores = await getConversationStores();
  const canWrite = hasPermission(user.role, 'settings.write');
  return (
    <>
      <PageHeader
        title="Backups and state"
        description="Conversations that survive a failover: a service with its conversation store on keeps each named conversation, so a client that sends only its new message gets the whole history sent to whichever target serves it now."
        actions={canWrite ? <EraseEndUserForm /> : undefined}
      />
      <BackupsTabs current="/backups/conversations" />
      <Card withBorder radius="md" padding="md" mb="lg" component="section" aria-labelledby="stores-title">
        <Title order={4} id="stores-title" mb={4}>
          Conversation store per service
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          Written off the request path in batches; the RPO is the time from an answer&apos;s last byte to its durable write, measured over the last hour and reported to the recovery objectives.
        </Text>
        <TableScrollContainer minWidth={860}>
          <Table verticalSpacing={8} striped data-testid="conversation-stores">
            <TableThead>
              <TableTr>
                <TableTh>Service</TableTh>
                <TableTh>Store</TableTh>
                <TableTh>Holds</TableTh>
                <TableTh>Durable within (last hour)</TableTh>
                <TableTh>Recovery component</TableTh>
                {canWrite && <TableTh />}
              </TableTr>
            </TableThead>
            <TableTbody>
              {stores.map((s) => (
                <TableTr key={s.serviceId} data-testid="conversation-store-row" data-service={s.serviceName}>
                  <TableTd>
                    <LinkAnchor href={`/services/${encodeURIComponent(s.serviceName)}`} fw={600} size="sm">
                      {s.serviceName}
                    </LinkAnchor>
                  </TableTd>
                  <TableTd>
                    <Badge color={s.store ? 'teal' : 'gray'} variant="light" miw="max-content">
                      {s.store ? `on, ${s.retentionDays} days` : 'off'}
                    </Badge>
                  </TableTd>
                  <TableTd>
                    <Text size="sm">
                      {s.conversations.toLocaleString('en-US')} conversations, {s.messages.toLocaleString('en-US')} messages
                    </Text>
                    <Text size="xs" c="dimmed">
                      {s.lastMessageAt ? `last ${formatUtc(s.lastMessageAt)}` : 'nothing stored'}
                    </Text>
                  </TableTd>
                  <TableTd>
                    {s.lag.answers === 0 ? (
                      <Text size="sm" c="dimmed">
                        no answers in the last hour
                      </Text>
                    ) : (
                      <Stack gap={0}>
                        <Text size="sm" ff="monospace" fw={600} c={(s.lag.p99Ms ?? 0) > 1_000 ? 'orange' : undefined}>
                          {formatSpan(s.lag.p99Ms)} p99 · {formatSpan(s.lag.p50Ms)} median
                        </Text>
                        <Text size="xs" c="dimmed">
                          worst {formatSpan(s.lag.maxMs)} over {s.lag.answers.toLocaleString('en-US')} answers
                        </Text>
                      </Stack>
                    )}
                  </TableTd>
                  <TableTd>
                    {s.component ? (
                      <LinkAnchor href={`/recovery/components/${s.component.id}`} size="sm">
                        {s.component.name}
                      </LinkAnchor>
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </TableTd>
                  {canWrite && (
                    <TableTd>
                      <ConversationStoreForm service={s} />
                    </TableTd>
                  )}
                </TableTr>
              ))}
            </TableTbody>
          </Table>
        </TableScrollContainer>
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="conv-api-title">
        <Title order={4} id="conv-api-title" mb="xs">
          For client applications
        </Title>
        <Stack gap="xs">
          <Text size="sm">
            Name the conversation in a header and send only the new message; pass your end user&apos;s id as <Code>user</Code> to be able to export or erase their conversations later.
          </Text>
          <Code block>{`curl $STANDBY/api/v1/chat/completions -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
  -H 'x-standby-conversation: session-8f2c' \\
  -d '{"model":"support-bot","user":"customer-1042","messages":[{"role":"user","content":"And the refund?"}]}'

curl $STANDBY/api/v1/conversations/session-8f2c?service=support-bot -H "Authorization: Bearer $TOKEN"          # export
curl -X DELETE "$STANDBY/api/v1/conversations?user=customer-1042" -H "Authorization: Bearer $TOKEN"           # erase an end user`}</Code>
          <Group gap={6}>
            <Text size="xs" c="dimmed">
              The token that created a conversation reaches it; one with the conversations:manage scope reaches everyone&apos;s. Answers name the conversation in x-standby-conversation and the
              number of messages sent upstream in x-standby-conversation-messages.
            </Text>
          </Group>
        </Stack>
      </Card>
    </>
  );
}
