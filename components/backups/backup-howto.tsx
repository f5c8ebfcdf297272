import { Code, Stack, Text } from '@mantine/core';

/** How a backup job reports: the scan command on the backup host, or the API. */
export function BackupHowTo({ origin }: { origin: string }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        After a backup job copies a model, scan the copy (or the folder it was copied from): every file is hashed on every core and the manifest is reported. Scan the serving folder with{' '}
        <Code>--deployed</Code> once per deployment: copies are checked against it. A token with the <Code>backups:report</Code> scope reports from another host.
      </Text>
      <Code block>{`# on the serving host, after each deployment
npm run standby -- backup scan /models/llama-70b --model vllm-llama-70b-on-prem --deployed
# after the nightly copy to object storage
STANDBY_TOKEN=sbk_… npm run standby -- backup scan s3://model-backups/llama-70b/$(date -u +%F) \\
  --model vllm-llama-70b-on-prem --region eu-west --to ${origin}`}</Code>
      <Text size="xs" c="dimmed">
        Jobs that build their own manifests post them to <Code>POST /api/v1/backups/copies</Code> ({'{ model, location, region, takenAt, manifest: { files: [{ path, sha256, sizeBytes }] } }'}); a
        timed restore goes to <Code>POST /api/v1/backups/restore-tests</Code> ({'{ model, copyId or location, transferMs, loadMs }'}) and replaces the estimate. The README has the reference.
      </Text>
    </Stack>
  );
}
