import { Code, Stack, Text } from '@mantine/core';

/** How a job outside Standby reports evidence: the API in one example a cron job can run. */
export function EvidenceHowTo({ origin }: { origin: string }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        A backup job, a replica monitor or a restore test reports to <Code>POST /api/v1/recovery/evidence</Code> with an API token holding the <Code>recovery:evidence</Code> scope
        (Admin → API tokens). A component that stops reporting shows <b>No evidence</b>, never compliant. For example, nightly after a backup:
      </Text>
      <Code block>{`# crontab: 02:30 every night, after the backup of user-preferences
30 2 * * * curl -fsS ${origin}/api/v1/recovery/evidence \\
  -H "Authorization: Bearer $STANDBY_EVIDENCE_TOKEN" -H 'content-type: application/json' \\
  -d "{\\"component\\":\\"user-preferences\\",\\"kind\\":\\"backup\\",\\"newestCopyAt\\":\\"$(date -u +%FT%TZ)\\",\\"sizeBytes\\":$(stat -c %s /backups/prefs.dump)}"`}</Code>
      <Text size="xs" c="dimmed">
        Kinds: backup and config_export (newestCopyAt), replica_lag (lagMs), restore_test (restoreMs), drill (restoreMs and disruption), conversation_write (lagMs or newestCopyAt); ok: false records a
        failure. Up to 100 reports at once as {'{"reports": [...]}'}. The README has the full reference.
      </Text>
    </Stack>
  );
}
