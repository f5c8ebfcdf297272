// Where a figure links to: the episode, report or drill it came from.
import type { EvidenceRef } from '@/lib/recovery/compliance';

export const refHref = (ref: EvidenceRef) => (ref.kind === 'episode' ? `/recovery/episodes/${ref.id}` : `/recovery/evidence/${ref.id}`);
export const componentHref = (id: string) => `/recovery/components/${id}`;
export const withPeriod = (path: string, period: string) => (period === '90d' ? path : `${path}?period=${encodeURIComponent(period)}`);
