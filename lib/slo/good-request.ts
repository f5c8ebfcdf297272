// What counts as a good request for a service's SLO (DESIGN.md, "Error budgets
// and burn rates"). Pure, shared by the gateway (RequestOutcome.ok), the
// rollups and the SLO pages, so that every number agrees on one definition.
import type { ServedBy } from '@/lib/routing/model';

/**
 * Refusals the client caused: the service did its job by saying no, so they
 * do not spend the error budget. Anything else that is not an answer does.
 */
const CLIENT_CAUSED_ERRORS: ReadonlySet<string> = new Set(['context_length', 'content_policy', 'bad_request']);

/** Ways of answering that served nothing useful: each counts against the SLO whatever the status. */
const NOT_SERVED: ReadonlySet<ServedBy> = new Set<ServedBy>(['refused', 'maintenance', 'queued']);

/**
 * Good: an answer was served (status 200 from upstream, cache or rule), or a
 * 400 the client caused (context too long, content policy, invalid request).
 * Bad: 5xx, 429 to the client, tier refusals, maintenance answers and queued
 * requests (the client got no answer when it asked).
 */
export function countsAsGood(status: number, errorClass: string | null, servedBy: ServedBy): boolean {
  if (NOT_SERVED.has(servedBy)) return false;
  if (status === 200) return true;
  return status === 400 && errorClass !== null && CLIENT_CAUSED_ERRORS.has(errorClass);
}
