import type { Metadata } from 'next';
import { RoleRequired } from '@/components/ui/role-required';
import { PageHeader } from '@/components/ui/page-header';
import { TokenForm } from '@/components/admin/token-form';
import { TokensTable } from '@/components/admin/tokens-table';
import { getTokenFormOptions, listApiTokens } from '@/lib/access/token-data';
import { pageUserIfPermitted } from '@/lib/server/page-user';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const user = await pageUserIfPermitted('tokens.manage');
  if (!user) {
    return (
      <RoleRequired role="admin">
        Only admins create and revoke API tokens. Ask an admin for a token for your application.
      </RoleRequired>
    );
  }
  const [tokens, { services }] = await Promise.all([listApiTokens(), getTokenFormOptions()]);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Bearer tokens for applications that send LLM traffic through the gateway, and for jobs that call Standby's API. A token is shown once, when created; Standby keeps only a hash."
        actions={<TokenForm services={services} />}
      />
      <TokensTable tokens={tokens} />
    </>
  );
}
