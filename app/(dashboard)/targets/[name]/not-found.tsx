import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function TargetNotFound() {
  return (
    <EmptyState title="No such target" action={<LinkAnchor href="/targets" size="sm">All targets</LinkAnchor>}>
      No target has this name. It may have been renamed or deleted; the audit log says which.
    </EmptyState>
  );
}
