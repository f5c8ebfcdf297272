import 'server-only';
// Copies in S3-compatible object storage, read through the AWS SDK: a copy's
// location is s3://bucket/prefix; STANDBY_S3_ENDPOINT names a server other
// than AWS (addressed by path, as MinIO and Ceph expect); credentials come
// from the SDK's usual chain. Standby only lists and reads.
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { env } from '@/lib/server/env';

export type S3Location = { bucket: string; prefix: string };

/** s3://bucket/some/prefix → { bucket, prefix: 'some/prefix/' }; null for anything else. */
export function parseS3Location(location: string): S3Location | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(location.trim());
  if (!match) return null;
  const prefix = (match[2] ?? '').replace(/^\/+/, '');
  return { bucket: match[1], prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
}

let client: S3Client | null = null;

export function s3Client(): S3Client {
  if (client) return client;
  const endpoint = env().STANDBY_S3_ENDPOINT;
  client = new S3Client({
    region: env().AWS_REGION,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Checksums only where the API requires them: S3-compatible servers differ in which trailing checksums they accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  return client;
}

/** For tests: a client for another endpoint. */
export function setS3Client(next: S3Client | null) {
  client = next;
}

/** Every object under the prefix, with its path relative to it. */
export async function listObjects(location: S3Location): Promise<{ path: string; sizeBytes: number }[]> {
  const out: { path: string; sizeBytes: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix || undefined, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/')) continue;
      out.push({ path: object.Key.slice(location.prefix.length), sizeBytes: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function readObject(location: S3Location, path: string): Promise<Readable> {
  const object = await s3Client().send(new GetObjectCommand({ Bucket: location.bucket, Key: `${location.prefix}${path}` }));
  return object.Body as Readable;
}
