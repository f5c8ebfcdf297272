// POST /api/v1/backups/restore-tests: a restore job reports how long restoring a model took (lib/backups/api.ts).
import { receiveRestoreTest } from '@/lib/backups/api';

export const dynamic = 'force-dynamic';

export const POST = receiveRestoreTest;
