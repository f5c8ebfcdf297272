import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function RunbookNotFound() {
  return (
    <EmptyState title="No such runbook or version" action={<LinkAnchor href="/runbooks">The library</LinkAnchor>}>
      It may have been deleted, or the link names a version it never had.
    </EmptyState>
  );
}
