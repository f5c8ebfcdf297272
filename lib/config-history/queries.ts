// React Query options for configuration history (STYLE.md habit 7).
import { queryOptions } from '@tanstack/react-query';
import { fetchLive, type LiveDataError } from '@/lib/shared/live-data';
import type { RestorePreview } from './mutations';

export const configHistoryQueries = {
  all: () => ['config-history'] as const,
  /** What restoring a version would change now, while its dialog is open: always computed afresh. */
  restorePreview: (versionId: string) =>
    queryOptions<RestorePreview, LiveDataError>({
      queryKey: ['config-history', 'restore-preview', versionId],
      queryFn: ({ signal }) => fetchLive<RestorePreview>(`/api/live/config-versions/${encodeURIComponent(versionId)}/restore-preview`, signal),
      staleTime: 0,
      retry: false,
      refetchOnWindowFocus: false,
    }),
};
