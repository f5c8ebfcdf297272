import type { Metadata } from 'next';
import { NotBuilt } from '@/components/ui/not-built';

export const metadata: Metadata = { title: 'Backups' };

export default function Page() {
  return (
    <NotBuilt
      title="Backups"
      purpose="Coverage of what a model needs to be restorable: weights, tokenizer, config and prompt templates."
      planned={[
        'Backup assets and their last good backup, reported by backup jobs through the API',
        'Restore-time estimates (size / bandwidth) compared with the RTO',
        'Gaps: assets with no recent or no complete backup',
      ]}
    />
  );
}
