// GET /api/config: the routing configuration as YAML (?download=1 to save it as a file).
// POST /api/config: applies a YAML body (Content-Type: application/yaml; ?dryRun=1 to only compare, ?prune=1 to delete what
// the file leaves out, ?reason=... for the audit log, ?fingerprint=... to apply only if the
// estate is still the one a dry run compared against). 200 with the diff, 400 with every problem.
import { applyConfig } from '@/lib/config/apply';
import { exportConfig } from '@/lib/config/export';
import { MAX_CONFIG_BYTES, YAML_MEDIA_TYPES } from '@/lib/config/yaml';
import { withPermission } from '@/lib/server/route';

export const dynamic = 'force-dynamic';

const flag = (params: URLSearchParams, name: string) => ['1', 'true', 'yes'].includes(params.get(name)?.toLowerCase() ?? '');

export const GET = withPermission('estate.read', async (request) => {
  const yaml = await exportConfig();
  const download = flag(new URL(request.url).searchParams, 'download');
  return new Response(yaml, {
    headers: {
      'content-type': 'application/yaml; charset=utf-8',
      'cache-control': 'no-store',
      ...(download ? { 'content-disposition': 'attachment; filename="standby-routing.yaml"' } : {}),
    },
  });
});

export const POST = withPermission('settings.write', async (request, user) => {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_CONFIG_BYTES) {
    return Response.json({ error: { code: 'INVALID', message: `The file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MB.` } }, { status: 413 });
  }
  const params = new URL(request.url).searchParams;
  const result = await applyConfig(user, {
    yaml: await request.text(),
    dryRun: flag(params, 'dryRun'),
    prune: flag(params, 'prune'),
    reason: params.get('reason') ?? undefined,
    expectedFingerprint: params.get('fingerprint') ?? undefined,
  });
  if (!result.ok) {
    const count = result.problems.length;
    return Response.json(
      { error: { code: 'INVALID', message: `The configuration has ${count} problem${count === 1 ? '' : 's'}; nothing was applied.`, problems: result.problems } },
      { status: 400, headers: { 'cache-control': 'no-store' } },
    );
  }
  const { ok: _ok, ...body } = result;
  return Response.json(body, { headers: { 'cache-control': 'no-store' } });
}, { accepts: YAML_MEDIA_TYPES });
