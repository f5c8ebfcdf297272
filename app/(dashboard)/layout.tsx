import { redirect } from 'next/navigation';
import { AppFrame } from '@/components/shell/app-frame';
import { getCurrentUser } from '@/lib/server/auth';

// Every dashboard page renders per request for the signed-in user.
export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return <AppFrame user={{ name: user.name, email: user.email, role: user.role }}>{children}</AppFrame>;
}
