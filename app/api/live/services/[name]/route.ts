// GET /api/live/services/:name: a service's live health (per chain target, charts,
// breaker transitions, overrides) for the live panel, which polls it every two seconds.
import { getServiceLive } from '@/lib/health/data';
import { serviceReadRoute } from '../../service-read-route';

export const dynamic = 'force-dynamic';

export const GET = serviceReadRoute((name) => getServiceLive(name));
