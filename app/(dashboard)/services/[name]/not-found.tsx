import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function ServiceNotFound() {
  return (
    <EmptyState title="No such service" action={<LinkAnchor href="/services" size="sm">All services</LinkAnchor>}>
      No service has this name. It may have been renamed or deleted; the audit log says which.
    </EmptyState>
  );
}
