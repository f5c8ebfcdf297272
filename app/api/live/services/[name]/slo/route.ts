// GET /api/live/services/:name/slo: a service's SLO standing (attainment, error
// budget, burn rate per window and rule) and its burn-rate alerts, for the
// SLO panel of the service page, which polls it every ten seconds.
import { getServiceSlo } from '@/lib/slo/data';
import { serviceReadRoute } from '../../../service-read-route';

export const dynamic = 'force-dynamic';

export const GET = serviceReadRoute((name) => getServiceSlo(name));
