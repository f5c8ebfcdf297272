// A server component: Mantine's parts are imported by name (ListItem), never reached
// through their parent (List.Item), which is undefined outside a client module (decision 001).
import { Alert, List, ListItem, Text } from '@mantine/core';
import { IconTools } from '@tabler/icons-react';
import { PageHeader } from './page-header';

/** An area planned but without a working feature yet: says so plainly. */
export function NotBuilt({ title, purpose, planned }: { title: string; purpose: string; planned: string[] }) {
  return (
    <>
      <PageHeader title={title} description={purpose} />
      <Alert variant="light" color="gray" icon={<IconTools size={18} />} title="Not built yet" data-testid="not-built">
        <Text size="sm" mb="xs">
          Nothing on this page works yet, and nothing here is simulated. It will offer:
        </Text>
        <List size="sm">
          {planned.map((item) => (
            <ListItem key={item}>{item}</ListItem>
          ))}
        </List>
      </Alert>
    </>
  );
}
