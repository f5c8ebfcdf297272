'use client';

import { useState } from 'react';
import { Alert, Button, Card, Group, MultiSelect, NumberInput, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { useActionForm } from '@/components/ui/use-action-form';
import { setDemoTrafficAction } from '@/lib/simulator/actions';
import { MAX_DEMO_REQUESTS_PER_SECOND, MAX_DEMO_SERVICES, type DemoTraffic } from '@/lib/simulator/schemas';
import { setDemoTrafficInput } from '@/lib/simulator/schemas';

type Props = {
  traffic: DemoTraffic;
  services: { name: string; enabled: boolean }[];
  canEdit: boolean;
};

export function describeDemoTraffic(traffic: DemoTraffic): string {
  if (traffic.requestsPerSecond <= 0 || traffic.services.length === 0) return 'Off.';
  const rate = `${traffic.requestsPerSecond} request${traffic.requestsPerSecond === 1 ? '' : 's'} per second`;
  return `${rate} to ${traffic.services.join(', ')}, called in turn; ${traffic.stream ? 'every other request to each service streams' : 'no streaming'}.`;
}

/** The demo traffic generator's setting: shown to everyone, editable by writers. */
export function DemoTrafficForm({ traffic, services, canEdit }: Props) {
  const [requestsPerSecond, setRequestsPerSecond] = useState<number | string>(traffic.requestsPerSecond);
  const [chosen, setChosen] = useState<string[]>(traffic.services);
  const [stream, setStream] = useState(traffic.stream);
  const [reason, setReason] = useState('');
  const form = useActionForm<DemoTraffic>({ schema: setDemoTrafficInput, success: (saved) => (saved.requestsPerSecond > 0 ? 'Demo traffic saved.' : 'Demo traffic turned off.'), onSuccess: () => setReason('') });

  // Services named in the setting stay listed even if they were since renamed or deleted, so they can be removed.
  const names = [...new Set([...services.map((s) => s.name), ...traffic.services])];
  const data = names.map((name) => {
    const service = services.find((s) => s.name === name);
    return { value: name, label: !service ? `${name} (no longer exists)` : service.enabled ? name : `${name} (disabled)` };
  });

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    form.submit({ requestsPerSecond: requestsPerSecond === '' ? '' : Number(requestsPerSecond), services: chosen, stream, reason }, setDemoTrafficAction);
  }

  return (
    <Card withBorder radius="md" padding="md" data-testid="demo-traffic">
      <Stack gap="sm">
        <div>
          <Title order={4}>Demo traffic</Title>
          <Text size="sm" c="dimmed">
            Steady requests through the gateway (POST /api/v1/chat/completions with the demo API token), as a client application would send them, so
            the dashboards move and injected faults have traffic to hit.
          </Text>
        </div>
        <Text size="sm">
          <Text span fw={600}>
            Now:{' '}
          </Text>
          {describeDemoTraffic(traffic)}
        </Text>
        {canEdit && (
          <form onSubmit={onSubmit} noValidate>
            <Stack gap="sm">
              {form.formError && (
                <Alert color="red" variant="light" role="alert">
                  {form.formError}
                </Alert>
              )}
              <Group align="flex-start" grow>
                <NumberInput
                  label="Requests per second"
                  description="0 turns demo traffic off"
                  suffix=" req/s"
                  min={0}
                  max={MAX_DEMO_REQUESTS_PER_SECOND}
                  step={0.5}
                  decimalScale={1}
                  allowNegative={false}
                  value={requestsPerSecond}
                  onChange={setRequestsPerSecond}
                  error={form.errorOf('requestsPerSecond')}
                />
                <MultiSelect
                  label="Services"
                  description="Called in turn, by name, as `model`"
                  placeholder={services.length === 0 ? 'No services yet' : 'Choose services'}
                  data={data}
                  value={chosen}
                  onChange={setChosen}
                  maxValues={MAX_DEMO_SERVICES}
                  searchable
                  clearable
                  error={form.errorOf('services')}
                />
              </Group>
              <Switch
                label="Stream half of the requests"
                description="Every other request to each service asks for a stream"
                checked={stream}
                onChange={(event) => setStream(event.currentTarget.checked)}
              />
              <Textarea label="Reason (kept in the audit log)" value={reason} onChange={(event) => setReason(event.currentTarget.value)} error={form.errorOf('reason')} maxLength={500} autosize minRows={1} />
              <Group justify="flex-end">
                <Button type="submit" loading={form.pending}>
                  Save demo traffic
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}
