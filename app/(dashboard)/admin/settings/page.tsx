import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { RoleRequired } from '@/components/ui/role-required';
import { PrivateNetworksForm } from '@/components/admin/private-networks-form';
import { pageUserIfPermitted } from '@/lib/server/page-user';
import { getPrivateNetworks } from '@/lib/settings/data';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await pageUserIfPermitted('settings.write');
  if (!user) {
    return <RoleRequired role="admin">Settings are changed by admins. Ask an admin if a self-hosted model needs a private network allowed.</RoleRequired>;
  }
  return (
    <>
      <PageHeader title="Settings" description="Cluster-wide settings. Every change is audited and reaches every replica within a second." />
      <PrivateNetworksForm current={await getPrivateNetworks()} />
    </>
  );
}
