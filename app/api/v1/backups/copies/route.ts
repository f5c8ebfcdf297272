// POST /api/v1/backups/copies: a backup job reports a copy of a model with every file's checksum (lib/backups/api.ts).
import { receiveCopy } from '@/lib/backups/api';

export const dynamic = 'force-dynamic';

export const POST = receiveCopy;
