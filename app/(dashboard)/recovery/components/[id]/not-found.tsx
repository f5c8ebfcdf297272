import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function ComponentNotFound() {
  return (
    <EmptyState title="No such component" action={<LinkAnchor href="/recovery" size="sm">Recovery</LinkAnchor>}>
      No recovery component has this id.
    </EmptyState>
  );
}
