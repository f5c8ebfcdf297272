// What an API token may do. Pure (scopes.test.ts). A token carries one or more
// scopes; tokens made before scopes existed hold `gateway`, which is what they
// were for. The gateway's snapshot loads only tokens with `gateway`, so a token
// made for a backup job cannot send chat completions, and the machine APIs
// check their own scope with tokenHasScope().

export const TOKEN_SCOPES = ['gateway', 'recovery:evidence', 'backups:report', 'conversations:manage'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  gateway: 'Send LLM traffic through the gateway (chat completions, models, queued results)',
  'recovery:evidence': 'Report backups, replica lag and restore tests (POST /api/v1/recovery/evidence)',
  'backups:report': 'Report model backup copies, deployed versions and timed restores (POST /api/v1/backups/...)',
  'conversations:manage': "Export and delete any client's stored conversations, per conversation or per end user (/api/v1/conversations)",
};

export function tokenHasScope(token: { scopes: readonly string[] | null | undefined }, scope: TokenScope): boolean {
  return (token.scopes ?? []).includes(scope);
}
