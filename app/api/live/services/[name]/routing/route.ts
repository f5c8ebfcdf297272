// GET /api/live/services/:name/routing: a service's routing as the gateway routes it now
// (plan, chain, overrides, load), for the service page's routing and chain cards.
import { getServiceRouting } from '@/lib/failover/data';
import { serviceReadRoute } from '../../../service-read-route';

export const dynamic = 'force-dynamic';

export const GET = serviceReadRoute((name) => getServiceRouting(name));
