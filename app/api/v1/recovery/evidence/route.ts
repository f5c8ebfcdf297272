// POST /api/v1/recovery/evidence: a backup job, a replica monitor or a restore
// test reports what it measured about a recovery component (README,
// "Reporting evidence from outside Standby"; lib/recovery/evidence.ts).
import { receiveEvidence } from '@/lib/recovery/evidence';

export const dynamic = 'force-dynamic';

export const POST = receiveEvidence;
