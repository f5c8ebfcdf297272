// Every area of DESIGN.md, in the order an on-call engineer reaches for them.
// `ready: false` areas render a plain "not built yet" page instead of pretending.
export type NavItem = { href: string; label: string; group: 'Operate' | 'Inventory' | 'Recover' | 'Govern'; ready: boolean; adminOnly?: boolean };

export const NAV_ITEMS: NavItem[] = [
  { href: '/', label: 'Overview', group: 'Operate', ready: true },
  { href: '/services', label: 'Services', group: 'Operate', ready: true },
  { href: '/failover', label: 'Failover', group: 'Operate', ready: true },
  { href: '/degradation', label: 'Degradation', group: 'Operate', ready: true },
  { href: '/health', label: 'Health', group: 'Operate', ready: true },
  { href: '/simulator', label: 'Simulator', group: 'Operate', ready: true },
  { href: '/targets', label: 'Targets', group: 'Inventory', ready: true },
  { href: '/providers', label: 'Providers', group: 'Inventory', ready: true },
  { href: '/regions', label: 'Regions', group: 'Inventory', ready: true },
  { href: '/recovery', label: 'Recovery (RTO/RPO)', group: 'Recover', ready: true },
  { href: '/backups', label: 'Backups', group: 'Recover', ready: true },
  { href: '/runbooks', label: 'Runbooks', group: 'Recover', ready: true },
  { href: '/incidents', label: 'Incidents', group: 'Recover', ready: true },
  { href: '/drills', label: 'Drills', group: 'Recover', ready: true },
  { href: '/audit', label: 'Audit log', group: 'Govern', ready: true },
  { href: '/admin', label: 'Admin', group: 'Govern', ready: true, adminOnly: true },
];
