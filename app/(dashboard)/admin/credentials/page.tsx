import type { Metadata } from 'next';
import { RoleRequired } from '@/components/ui/role-required';
import { PageHeader } from '@/components/ui/page-header';
import { CredentialForm } from '@/components/admin/credential-form';
import { CredentialsTable } from '@/components/admin/credentials-table';
import { getProviderOptions, listCredentials } from '@/lib/inventory/data';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'Provider credentials' };

export default async function CredentialsPage() {
  const user = await pageUserIfPermitted('credentials.manage');
  if (!user) {
    return (
      <RoleRequired role="admin">
        Only admins manage provider credentials. Ask an admin to add or rotate a key.
      </RoleRequired>
    );
  }
  const [credentials, providers] = await Promise.all([listCredentials(), getProviderOptions()]);
  return (
    <>
      <PageHeader
        title="Provider credentials"
        description="API keys targets use to call their providers. Secrets are stored encrypted and never shown again: only their last characters."
        actions={<CredentialForm mode="create" providers={providers} />}
      />
      <CredentialsTable credentials={credentials} />
    </>
  );
}
