// A minimal S3-compatible server for the tests (docs/decisions/014-model-backups-s3-and-hashing.md):
// path-style buckets and objects kept in a folder, ListObjectsV2 with
// pagination, GET, HEAD, PUT (plain or aws-chunked bodies) and DELETE, and
// requests refused unless signed (AWS4-HMAC-SHA256) with the configured
// access key. Enough to test Standby's reading through the AWS SDK against
// a real HTTP server; never part of the product.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type TestS3 = { endpoint: string; accessKeyId: string; secretAccessKey: string; requests: { method: string; url: string }[]; close: () => Promise<void> };

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function error(res: http.ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`);
}

/** aws-chunked: "<hex size>;chunk-signature=…\r\n<bytes>\r\n" frames, ended by a zero-size one and optional trailers. */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')]));
}

export async function startTestS3(options: { pageSize?: number } = {}): Promise<TestS3> {
  const root = mkdtempSync(path.join(tmpdir(), 'standby-test-s3-'));
  const accessKeyId = 'STANDBYTESTKEY';
  const secretAccessKey = 'standby-test-secret';
  const requests: TestS3['requests'] = [];
  const pageSize = options.pageSize ?? 1000;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3.test');
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKeyId}/`)) return error(res, 403, 'AccessDenied', 'Requests must be signed with the test access key.');
    const [, bucket, ...keyParts] = url.pathname.split('/').map(decodeURIComponent);
    const key = keyParts.join('/');
    if (!bucket) return error(res, 400, 'InvalidRequest', 'Name a bucket.');
    const bucketDir = path.join(root, bucket);
    const file = path.join(bucketDir, key);
    if (!file.startsWith(bucketDir)) return error(res, 400, 'InvalidRequest', 'Bad key.');

    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!key) {
          mkdirSync(bucketDir, { recursive: true });
          return res.writeHead(200).end();
        }
        if (!existsSync(bucketDir)) return error(res, 404, 'NoSuchBucket', bucket);
        const raw = Buffer.concat(chunks);
        const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, chunked ? decodeAwsChunked(raw) : raw);
        res.writeHead(200, { etag: '"test"' }).end();
      });
      return;
    }
    if (!existsSync(bucketDir)) return error(res, 404, 'NoSuchBucket', bucket);
    if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const all = walk(bucketDir).filter((k) => k.startsWith(prefix)).sort();
      const after = url.searchParams.get('continuation-token');
      const start = after ? all.findIndex((k) => k > Buffer.from(after, 'base64url').toString()) : 0;
      const max = Math.min(pageSize, Number(url.searchParams.get('max-keys') ?? 1000));
      const page = start < 0 ? [] : all.slice(start, start + max);
      const truncated = start >= 0 && start + max < all.length;
      const contents = page.map((k) => {
        const info = statSync(path.join(bucketDir, k));
        return `<Contents><Key>${xml(k)}</Key><LastModified>${info.mtime.toISOString()}</LastModified><ETag>"test"</ETag><Size>${info.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      });
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
          truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64url')}</NextContinuationToken>` : ''
        }${contents.join('')}</ListBucketResult>`,
      );
    }
    if (!key || !existsSync(file) || !statSync(file).isFile()) return error(res, 404, 'NoSuchKey', key);
    if (req.method === 'DELETE') {
      rmSync(file);
      return res.writeHead(204).end();
    }
    const size = statSync(file).size;
    res.writeHead(200, { 'content-length': String(size), 'content-type': 'application/octet-stream', etag: '"test"', 'last-modified': new Date().toUTCString() });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accessKeyId,
    secretAccessKey,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
