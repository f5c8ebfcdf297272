import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { safeCallbackUrl } from '@/lib/access/callback-url';
import { getCurrentUser } from '@/lib/server/auth';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={400} maw="100%">
        <Stack gap="xs" mb="lg">
          <Title order={2}>Standby</Title>
          <Text c="dimmed" size="sm">
            Disaster-recovery control plane for LLM systems. Sign in to continue.
          </Text>
        </Stack>
        <LoginForm callbackUrl={callbackUrl} />
      </Paper>
    </Center>
  );
}
