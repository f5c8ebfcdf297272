import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServedBy } from '@/lib/routing/model';
import { countsAsGood } from './good-request';

describe('countsAsGood', () => {
  it('counts every served answer as good, whoever served it', () => {
    for (const servedBy of ['upstream', 'cache', 'rule'] as ServedBy[]) assert.equal(countsAsGood(200, null, servedBy), true, servedBy);
  });

  it('counts a refusal the client caused as good: the service did its job by saying no', () => {
    assert.equal(countsAsGood(400, 'context_length', 'upstream'), true);
    assert.equal(countsAsGood(400, 'content_policy', 'upstream'), true);
    assert.equal(countsAsGood(400, 'bad_request', 'upstream'), true);
  });

  it('counts server errors, rate limits and timeouts against the SLO', () => {
    const table: [number, string | null][] = [
      [502, 'server_error'], [503, 'no_target_available'], [504, 'header_timeout'], [429, 'rate_limited'], [500, null], [499, 'client_closed'],
    ];
    for (const [status, errorClass] of table) assert.equal(countsAsGood(status, errorClass, 'upstream'), false, `${status} ${errorClass}`);
  });

  it("counts a 400 that is not the client's doing against the SLO", () => {
    assert.equal(countsAsGood(400, 'auth_failed', 'upstream'), false);
    assert.equal(countsAsGood(400, null, 'upstream'), false);
  });

  it('counts tier refusals, maintenance answers and queued requests against the SLO, whatever the status', () => {
    assert.equal(countsAsGood(503, 'tier_minimal', 'refused'), false);
    assert.equal(countsAsGood(503, 'maintenance', 'maintenance'), false);
    assert.equal(countsAsGood(202, 'queued', 'queued'), false);
    // A (mis)recorded 200 does not turn a refusal into a success.
    assert.equal(countsAsGood(200, null, 'queued'), false);
  });
});
