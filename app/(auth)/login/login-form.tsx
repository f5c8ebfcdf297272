'use client';

import { useState, useSyncExternalStore } from 'react';
import { signIn } from 'next-auth/react';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';

const subscribeNever = () => () => {};

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const [pending, setPending] = useState(false);
  // Until the script runs, a submit would be a plain browser form post: keep the button off until then.
  const ready = useSyncExternalStore(subscribeNever, () => true, () => false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const problems = { email: email ? undefined : 'Enter your email address.', password: password ? undefined : 'Enter your password.' };
    setFieldErrors(problems);
    setError(null);
    if (problems.email || problems.password) return;
    setPending(true);
    try {
      const result = await signIn('credentials', { email, password, redirect: false });
      if (!result || result.error) {
        setError(!result || result.error === 'CredentialsSignin' ? 'Email or password is not correct.' : result.error);
        return;
      }
      window.location.assign(callbackUrl);
    } catch {
      setError('Standby could not be reached. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} method="post" noValidate>
      <Stack>
        {error && (
          <Alert color="red" variant="light" role="alert" title="Sign-in failed">
            {error}
          </Alert>
        )}
        <TextInput name="email" type="email" label="Email" autoComplete="username" required error={fieldErrors.email} autoFocus />
        <PasswordInput name="password" label="Password" autoComplete="current-password" required error={fieldErrors.password} />
        <Button type="submit" loading={pending} disabled={!ready} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
