// POST /api/v1/backups/deployed: what a model serves now, the version copies are checked against (lib/backups/api.ts).
import { receiveDeployed } from '@/lib/backups/api';

export const dynamic = 'force-dynamic';

export const POST = receiveDeployed;
