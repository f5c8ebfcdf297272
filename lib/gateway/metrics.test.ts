import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics';

/** Every sample of an exposition text, keyed `name{label="value",...}` with the labels in name order. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, name, value]) => `${name}="${value}"`).sort();
    out.set(`${match[1]}${labels.length ? `{${labels.join(',')}}` : ''}`, Number(match[3]));
  }
  return out;
}

const BOUNDS = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '+Inf'];

/** The cumulative bucket counts of one target's histogram, from the first bound to +Inf. */
const buckets = (s: Map<string, number>, family: string, target: string) => BOUNDS.map((le) => s.get(`${family}_bucket{le="${le}",target="${target}"}`));

describe('metrics', () => {
  test('a small scenario is counted as Prometheus reads it', async () => {
    const metrics = createMetrics();
    metrics.observeAttempt({ target: 'openai-east', service: 'support-bot', outcome: 'error', errorClass: 'server_error', latencyMs: 120, ttftMs: null });
    metrics.observeAttempt({ target: 'openai-east', service: 'support-bot', outcome: 'success', errorClass: null, latencyMs: 800, ttftMs: 200 });
    metrics.observeAttempt({ target: 'claude-west', service: 'support-bot', outcome: 'success', errorClass: null, latencyMs: 75_000, ttftMs: 50 });
    metrics.observeRequest({ service: 'support-bot', status: 200, attempts: 2 });
    metrics.observeRequest({ service: 'support-bot', status: 200, attempts: 1 });
    metrics.observeRequest({ service: 'support-bot', status: 503, attempts: 3 });
    metrics.setBreakerState('openai-east', 'closed');
    metrics.setBreakerState('openai-east', 'half_open');
    metrics.setActiveTarget('support-bot', 'openai-east');
    metrics.setActiveTarget('support-bot', 'claude-west');
    const s = samples(await metrics.render());

    assert.equal(s.get('standby_upstream_requests_total{outcome="error",service="support-bot",target="openai-east"}'), 1);
    assert.equal(s.get('standby_upstream_requests_total{outcome="success",service="support-bot",target="openai-east"}'), 1);
    assert.equal(s.get('standby_upstream_requests_total{outcome="success",service="support-bot",target="claude-west"}'), 1);
    assert.equal(s.get('standby_upstream_errors_total{error_class="server_error",target="openai-east"}'), 1);
    // 75 s is above every bound: only +Inf counts it.
    assert.deepEqual(buckets(s, 'standby_upstream_latency_seconds', 'claude-west'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(buckets(s, 'standby_upstream_latency_seconds', 'openai-east'), [0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
    assert.equal(s.get('standby_upstream_latency_seconds_sum{target="openai-east"}'), 0.92);
    assert.equal(s.get('standby_upstream_latency_seconds_count{target="openai-east"}'), 2);
    // A bound is inclusive: 50 ms falls in le="0.05".
    assert.deepEqual(buckets(s, 'standby_upstream_ttft_seconds', 'claude-west'), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(buckets(s, 'standby_upstream_ttft_seconds', 'openai-east'), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(s.get('standby_breaker_state{state="closed",target="openai-east"}'), 0);
    assert.equal(s.get('standby_breaker_state{state="half_open",target="openai-east"}'), 1);
    assert.equal(s.get('standby_breaker_state{state="open",target="openai-east"}'), 0);
    assert.equal(s.get('standby_service_active_target{service="support-bot",target="claude-west"}'), 1);
    assert.equal(s.get('standby_service_active_target{service="support-bot",target="openai-east"}'), 0);
    assert.equal(s.get('standby_gateway_requests_total{service="support-bot",status="200"}'), 2);
    assert.equal(s.get('standby_gateway_requests_total{service="support-bot",status="503"}'), 1);
    assert.equal(s.get('standby_gateway_retried_requests_total{service="support-bot"}'), 2);
    assert.equal(s.get('standby_client_disconnects_total'), 0);
  });

  test('with nothing observed, every family is still declared, and only the unlabelled ones have a series', async () => {
    const text = await createMetrics().render();
    assert.equal(text.split('\n').filter((line) => line.startsWith('# TYPE')).length, 16);
    assert.deepEqual([...samples(text)], [
      ['standby_client_disconnects_total', 0], ['standby_recorder_buffered_rows', 0], ['standby_recorder_written_rows_total', 0],
      ['standby_recorder_dropped_rows_total', 0], ['standby_recorder_failed_flushes_total', 0], ['standby_recorder_thread_restarts_total', 0],
    ]);
    assert.ok(text.endsWith('\n'));
  });

  test("the recorder's rows and its writer thread's restarts are read at each scrape, never counted twice", async () => {
    const metrics = createMetrics();
    let reading = { buffered: 40, written: 1_000, dropped: 0, failedFlushes: 1, threadRestarts: 0 };
    metrics.watchRecorder(() => reading);
    let s = samples(await metrics.render());
    assert.equal(s.get('standby_recorder_buffered_rows'), 40);
    assert.equal(s.get('standby_recorder_written_rows_total'), 1_000);
    assert.equal(s.get('standby_recorder_failed_flushes_total'), 1);
    reading = { buffered: 0, written: 1_040, dropped: 7, failedFlushes: 1, threadRestarts: 1 };
    s = samples(await metrics.render());
    assert.equal(s.get('standby_recorder_buffered_rows'), 0);
    assert.equal(s.get('standby_recorder_written_rows_total'), 1_040);
    assert.equal(s.get('standby_recorder_dropped_rows_total'), 7);
    assert.equal(s.get('standby_recorder_failed_flushes_total'), 1);
    assert.equal(s.get('standby_recorder_thread_restarts_total'), 1);
  });

  test('label values are escaped: backslash, double quote, line feed', async () => {
    const metrics = createMetrics();
    metrics.observeRequest({ service: 'we"ird\\svc\nname', status: 200, attempts: 1 });
    assert.ok((await metrics.render()).includes('standby_gateway_requests_total{service="we\\"ird\\\\svc\\nname",status="200"} 1\n'));
  });

  test('label values stay bounded: unknown error classes and odd statuses are grouped', async () => {
    const metrics = createMetrics();
    for (let i = 0; i < 50; i += 1) {
      metrics.observeAttempt({ target: 't', service: 's', outcome: 'error', errorClass: `made-up-${i}`, latencyMs: 10, ttftMs: null });
      metrics.observeRequest({ service: 's', status: 1000 + i, attempts: 1 });
    }
    metrics.observeAttempt({ target: 't', service: 's', outcome: 'error', errorClass: null, latencyMs: 10, ttftMs: null });
    const s = samples(await metrics.render());
    assert.equal(s.get('standby_upstream_errors_total{error_class="other",target="t"}'), 51);
    assert.equal(s.get('standby_gateway_requests_total{service="s",status="other"}'), 50);
    assert.equal([...s.keys()].filter((key) => key.startsWith('standby_upstream_errors_total{')).length, 1);
  });

  test('a service with no active target reports 0 for every target it had', async () => {
    const metrics = createMetrics();
    metrics.setActiveTarget('svc', 'a');
    metrics.setActiveTarget('svc', null);
    assert.equal(samples(await metrics.render()).get('standby_service_active_target{service="svc",target="a"}'), 0);
  });

  test("a service's tier is one-hot over the four tiers, and follows changes", async () => {
    const metrics = createMetrics();
    metrics.setServiceTier('svc', 'degraded');
    metrics.setServiceTier('svc', 'emergency');
    metrics.setServiceTier('svc', 'emergency');
    const s = samples(await metrics.render());
    assert.deepEqual(['degraded', 'emergency', 'full', 'minimal'].map((tier) => s.get(`standby_service_tier{service="svc",tier="${tier}"}`)), [0, 1, 0, 0]);
  });

  test('negative and non-finite durations do not corrupt histograms', async () => {
    const metrics = createMetrics();
    metrics.observeAttempt({ target: 't', service: 's', outcome: 'success', errorClass: null, latencyMs: -5, ttftMs: Number.NaN });
    const s = samples(await metrics.render());
    assert.equal(s.get('standby_upstream_latency_seconds_bucket{le="0.05",target="t"}'), 1);
    assert.equal(s.get('standby_upstream_latency_seconds_sum{target="t"}'), 0);
    assert.ok(![...s.keys()].some((key) => key.startsWith('standby_upstream_ttft_seconds_count')));
  });

  test('two replicas in one process keep their own counts', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeSignIn('refused');
    assert.equal(samples(await a.render()).get('standby_signin_attempts_total{outcome="refused"}'), 1);
    assert.equal(samples(await b.render()).get('standby_signin_attempts_total{outcome="refused"}'), undefined);
  });
});
