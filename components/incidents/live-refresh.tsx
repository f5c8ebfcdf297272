'use client';
// The incidents list follows the live stream: a new incident, or one whose
// severity or status changed, refreshes the page (once per burst).
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';

export function IncidentsLiveRefresh() {
  const router = useRouter();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const source = new EventSource('/api/incidents/live');
    source.addEventListener('changed', () => {
      timer ??= setTimeout(() => {
        timer = null;
        router.refresh();
      }, 250);
    });
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [router]);
  return null;
}
