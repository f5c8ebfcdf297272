// GET /api/live/degradation/:name: one service's tier, D, override, policy and tier
// timeline, for the degradation panel of the service page, which polls it every two seconds.
import { getServiceDegradation } from '@/lib/degradation/data';
import { serviceReadRoute } from '../../service-read-route';

export const dynamic = 'force-dynamic';

export const GET = serviceReadRoute((name) => getServiceDegradation(name));
