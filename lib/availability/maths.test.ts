import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  annualize, chainAvailability, detectionMs, domainAvailability, evaluateAvailability, expectedDowntimeMs, failoverMs, groupByDomain, MONTH_MS,
  parallelAvailability, retryBackoffMs, seriesAvailability, seriesUnavailability, YEAR_MS,
} from './maths';

/** Equal to within floating-point noise of the hand-computed value. */
function near(actual: number, expected: number, tolerance = 1e-12) {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);
}

describe('alternatives in parallel (independent)', () => {
  const table: [number[], number][] = [
    [[0.995, 0.995, 0.995], 0.999999875], // the textbook case
    [[0.99, 0.99], 0.9999],
    [[0.9, 0.8], 0.98],
    [[0.999, 0.99, 0.9], 0.999999],
    [[0.95], 0.95],
    [[], 0], // no alternative serves nothing
  ];
  for (const [inputs, expected] of table) {
    test(`[${inputs.join(', ')}] → ${expected}`, () => near(parallelAvailability(inputs), expected));
  }

  test('three independent providers at 99.5% give exactly 99.9999875%', () => {
    const { chain } = chainAvailability(['a', 'b', 'c'].map((name) => ({ name, domain: name, availability: 0.995 })));
    near(chain.unavailability, 1.25e-7, 1e-20);
    assert.equal(chain.availability, 0.999999875);
  });
});

describe('components in series', () => {
  const table: [number[], number][] = [
    [[0.999, 0.999], 0.998001],
    [[0.99, 0.9995], 0.989505],
    [[0.9, 0.8, 0.5], 0.36],
    [[0.9995], 0.9995],
  ];
  for (const [inputs, expected] of table) {
    test(`[${inputs.join(', ')}] → ${expected}`, () => near(seriesAvailability(inputs), expected));
  }

  test('keeps the digits of tiny unavailabilities: 1.25e-7 and 5e-4 give 5.00124937...e-4', () => {
    near(seriesUnavailability([1.25e-7, 5e-4]), 1.25e-7 + 5e-4 - 1.25e-7 * 5e-4, 1e-18);
  });
});

describe('shared fate', () => {
  test('a failure domain is as available as its best member, not better', () => {
    assert.equal(domainAvailability([0.999, 0.998]), 0.999);
    assert.equal(domainAvailability([0.995, 0.995]), 0.995);
  });

  test('OpenAI and Azure OpenAI in one domain, Anthropic in another', () => {
    const result = chainAvailability([
      { name: 'gpt-4o-us', domain: 'openai', availability: 0.999 },
      { name: 'gpt-4o-azure', domain: 'openai', availability: 0.998 },
      { name: 'claude-us', domain: 'anthropic', availability: 0.995 },
    ]);
    assert.deepEqual(result.domains.map((d) => [d.domain, d.members, d.availability]), [
      ['openai', ['gpt-4o-us', 'gpt-4o-azure'], 0.999],
      ['anthropic', ['claude-us'], 0.995],
    ]);
    // Domains in parallel: 1 - 0.001 × 0.005.
    near(result.chain.availability, 0.999995);
    // As if independent: 1 - 0.001 × 0.002 × 0.005; shared fate costs two nines here.
    near(result.independent.availability, 0.99999999);
  });

  test('one provider in two regions is one failure domain: no gain over one region', () => {
    const { chain, independent } = chainAvailability([
      { name: 'us-east', domain: 'openai', availability: 0.995 },
      { name: 'eu-west', domain: 'openai', availability: 0.995 },
    ]);
    near(chain.availability, 0.995);
    near(independent.availability, 0.999975);
  });

  test('domains are matched without regard to case or spaces, in order of first appearance', () => {
    const groups = groupByDomain([{ domain: 'OpenAI' }, { domain: 'anthropic' }, { domain: ' openai ' }]);
    assert.deepEqual(groups.map((g) => [g.domain, g.members.length]), [['OpenAI', 2], ['anthropic', 1]]);
  });
});

describe('expected downtime', () => {
  const table: [number, number, number][] = [
    // unavailability, per 30-day month (ms), per 365-day year (ms)
    [0.001, 2_592_000, 31_536_000], // 99.9%: 43.2 min a month, 8.76 h a year
    [0.0001, 259_200, 3_153_600], // 99.99%: 4.32 min, 52.56 min
    [1.25e-7, 324, 3_942], // 99.9999875%: 0.324 s, 3.942 s
    [0, 0, 0],
  ];
  for (const [u, month, year] of table) {
    test(`${u} unavailable → ${month} ms a month, ${year} ms a year`, () => {
      near(expectedDowntimeMs(u, MONTH_MS), month, 1e-6);
      near(expectedDowntimeMs(u, YEAR_MS), year, 1e-6);
    });
  }
});

describe('detection and failover time', () => {
  test('detection: consecutive failures at the request rate, bounded by the window', () => {
    assert.equal(detectionMs({ consecutiveFailures: 5, requestsPerSecond: 10, windowMs: 10_000 }), 500);
    assert.equal(detectionMs({ consecutiveFailures: 5, requestsPerSecond: 1, windowMs: 10_000 }), 5_000);
    assert.equal(detectionMs({ consecutiveFailures: 5, requestsPerSecond: 0.1, windowMs: 10_000 }), 10_000);
    assert.equal(detectionMs({ consecutiveFailures: 5, requestsPerSecond: 0, windowMs: 10_000 }), 10_000);
  });

  test('failover: the worse of one header timeout and the retry budget at its ceilings', () => {
    assert.equal(retryBackoffMs({ maxRetries: 2, baseBackoffMs: 200, maxBackoffMs: 5_000 }), 600);
    assert.equal(failoverMs({ headerTimeoutMs: 30_000, maxRetries: 2, baseBackoffMs: 200, maxBackoffMs: 5_000 }), 30_000);
    // 200 + 400 + 800 + 1000 + 1000: the ceiling caps the later retries.
    assert.equal(failoverMs({ headerTimeoutMs: 1_000, maxRetries: 5, baseBackoffMs: 200, maxBackoffMs: 1_000 }), 3_400);
    assert.equal(failoverMs({ headerTimeoutMs: 2_000, maxRetries: 0, baseBackoffMs: 200, maxBackoffMs: 1_000 }), 2_000);
  });

  test('failures per year from the history seen', () => {
    assert.equal(annualize(3, 30 * 86_400_000), 36.5);
    assert.equal(annualize(0, 90 * 86_400_000), 0);
    assert.equal(annualize(2, 0), 0);
  });
});

describe('the composite, naive and honest', () => {
  const textbook = ['a', 'b', 'c'].map((name) => ({ name, domain: name, availability: 0.995 }));

  test('the textbook chain with Standby in series, then 12 failures a year of 30.5 s each', () => {
    const result = evaluateAvailability({ members: textbook, standbyAvailability: 0.9995, failuresPerYear: 12, perFailureMs: 30_500 });
    assert.equal(result.chain.availability, 0.999999875);
    // 1 - 0.999999875 × 0.9995
    near(result.naive.unavailability, 0.0005001249375, 1e-16);
    near(result.naive.perMonthMs, 0.0005001249375 * MONTH_MS, 1e-3);
    assert.equal(result.honest.addedPerYearMs, 366_000);
    // + 366 s over a 365-day year
    near(result.honest.unavailability, 0.0005001249375 + 366 / 31_536_000, 1e-16);
    near(result.honest.perYearMs - result.naive.perYearMs, 366_000, 1e-6);
  });

  test('Standby at 100% and no failures leaves the chain figure as it is', () => {
    const result = evaluateAvailability({ members: textbook, standbyAvailability: 1, failuresPerYear: 0, perFailureMs: 30_000 });
    assert.equal(result.naive.availability, 0.999999875);
    assert.equal(result.honest.availability, 0.999999875);
  });

  test('a chain of one target has nothing to fail over to: no added time', () => {
    const result = evaluateAvailability({ members: [textbook[0]], standbyAvailability: 0.9995, failuresPerYear: 12, perFailureMs: 30_000 });
    assert.equal(result.honest.addedPerYearMs, 0);
    assert.equal(result.honest.unavailability, result.naive.unavailability);
    near(result.naive.availability, 0.995 * 0.9995);
  });

  test('an empty chain is never available, and the honest figure never passes 100% down', () => {
    const empty = evaluateAvailability({ members: [], standbyAvailability: 0.9995, failuresPerYear: 12, perFailureMs: 30_000 });
    assert.equal(empty.naive.availability, 0);
    const awful = evaluateAvailability({ members: textbook, standbyAvailability: 0.9995, failuresPerYear: 1e9, perFailureMs: 60_000 });
    assert.equal(awful.honest.unavailability, 1);
  });
});
