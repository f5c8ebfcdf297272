import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function IncidentNotFound() {
  return (
    <EmptyState title="No such incident" action={<LinkAnchor href="/incidents">All incidents</LinkAnchor>}>
      Incidents are named INC- and a number, as on the Incidents page.
    </EmptyState>
  );
}
