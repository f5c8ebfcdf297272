import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';

export default function EpisodeNotFound() {
  return (
    <EmptyState title="No such episode" action={<LinkAnchor href="/recovery" size="sm">Recovery</LinkAnchor>}>
      No disruption episode has this id. Episodes are kept with their component; a deleted component takes its episodes with it.
    </EmptyState>
  );
}
