// Next.js calls register() once when a server starts, before it handles a
// request: the configuration sections are made known to the version writer
// there (lib/config-versions/section.ts), so that a server action changing
// routing writes its version whichever modules the action's page loaded.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('@/lib/config-history/sections');
}
