import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, escapeLabelValue } from './metrics';

describe('metrics', () => {
  test('a small scenario renders exactly, in exposition format 0.0.4', () => {
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

    const latencyBuckets = (target: string, counts: number[], sum: string) => [
      ...['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60'].map((le, i) => `standby_upstream_latency_seconds_bucket{target="${target}",le="${le}"} ${counts[i]}`),
      `standby_upstream_latency_seconds_bucket{target="${target}",le="+Inf"} ${counts[10]}`,
      `standby_upstream_latency_seconds_sum{target="${target}"} ${sum}`,
      `standby_upstream_latency_seconds_count{target="${target}"} ${counts[10]}`,
    ];
    const ttftBuckets = (target: string, counts: number[], sum: string) =>
      latencyBuckets(target, counts, sum).map((line) => line.replace('standby_upstream_latency_seconds', 'standby_upstream_ttft_seconds'));

    const expected = [
      '# HELP standby_upstream_requests_total Attempts sent to upstream targets, by target, service and outcome.',
      '# TYPE standby_upstream_requests_total counter',
      'standby_upstream_requests_total{target="claude-west",service="support-bot",outcome="success"} 1',
      'standby_upstream_requests_total{target="openai-east",service="support-bot",outcome="error"} 1',
      'standby_upstream_requests_total{target="openai-east",service="support-bot",outcome="success"} 1',
      '# HELP standby_upstream_errors_total Failed upstream attempts, by target and error class.',
      '# TYPE standby_upstream_errors_total counter',
      'standby_upstream_errors_total{target="openai-east",error_class="server_error"} 1',
      '# HELP standby_upstream_latency_seconds Duration of upstream attempts, from sending to the end of the answer.',
      '# TYPE standby_upstream_latency_seconds histogram',
      // 75 s is above every bound: only +Inf counts it.
      ...latencyBuckets('claude-west', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '75'),
      ...latencyBuckets('openai-east', [0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2], '0.92'),
      '# HELP standby_upstream_ttft_seconds Time to the first token of streamed upstream answers.',
      '# TYPE standby_upstream_ttft_seconds histogram',
      // A bound is inclusive: 50 ms falls in le="0.05".
      ...ttftBuckets('claude-west', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], '0.05'),
      ...ttftBuckets('openai-east', [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], '0.2'),
      '# HELP standby_breaker_state Each target\'s circuit breaker: 1 for its current state, 0 for the others.',
      '# TYPE standby_breaker_state gauge',
      'standby_breaker_state{target="openai-east",state="closed"} 0',
      'standby_breaker_state{target="openai-east",state="half_open"} 1',
      'standby_breaker_state{target="openai-east",state="open"} 0',
      '# HELP standby_service_active_target The target currently serving each service: 1 for it, 0 for targets that served it before.',
      '# TYPE standby_service_active_target gauge',
      'standby_service_active_target{service="support-bot",target="claude-west"} 1',
      'standby_service_active_target{service="support-bot",target="openai-east"} 0',
      '# HELP standby_gateway_requests_total Requests answered by the gateway, by service and HTTP status.',
      '# TYPE standby_gateway_requests_total counter',
      'standby_gateway_requests_total{service="support-bot",status="200"} 2',
      'standby_gateway_requests_total{service="support-bot",status="503"} 1',
      '# HELP standby_gateway_retried_requests_total Gateway requests that needed more than one upstream attempt, by service.',
      '# TYPE standby_gateway_retried_requests_total counter',
      'standby_gateway_retried_requests_total{service="support-bot"} 2',
      '# HELP standby_service_tier Each service\'s degradation tier as this replica last applied it: 1 for the tier in force, 0 for the others.',
      '# TYPE standby_service_tier gauge',
      '# HELP standby_client_disconnects_total Clients that closed the connection before their request was complete.',
      '# TYPE standby_client_disconnects_total counter',
      'standby_client_disconnects_total 0',
      '# HELP standby_signin_attempts_total Sign-in attempts on this replica: signed_in and refused had their password checked, throttled were refused unchecked.',
      '# TYPE standby_signin_attempts_total counter',
      '',
    ].join('\n');
    assert.equal(metrics.render(), expected);
  });

  test('with nothing observed, every family is still declared', () => {
    const text = createMetrics().render();
    assert.equal(text.split('\n').filter((line) => line.startsWith('# TYPE')).length, 11);
    // Only the unlabelled counter has a series before anything happens: it starts at 0.
    assert.deepEqual(text.split('\n').filter((line) => line && !line.startsWith('#')), ['standby_client_disconnects_total 0']);
    assert.ok(text.endsWith('\n'));
  });

  test('label values are escaped: backslash, double quote, line feed', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const metrics = createMetrics();
    metrics.observeRequest({ service: 'we"ird\\svc\nname', status: 200, attempts: 1 });
    assert.ok(metrics.render().includes('standby_gateway_requests_total{service="we\\"ird\\\\svc\\nname",status="200"} 1\n'));
  });

  test('label values stay bounded: unknown error classes and odd statuses are grouped', () => {
    const metrics = createMetrics();
    for (let i = 0; i < 50; i += 1) {
      metrics.observeAttempt({ target: 't', service: 's', outcome: 'error', errorClass: `made-up-${i}`, latencyMs: 10, ttftMs: null });
      metrics.observeRequest({ service: 's', status: 1000 + i, attempts: 1 });
    }
    metrics.observeAttempt({ target: 't', service: 's', outcome: 'error', errorClass: null, latencyMs: 10, ttftMs: null });
    const text = metrics.render();
    assert.ok(text.includes('standby_upstream_errors_total{target="t",error_class="other"} 51\n'));
    assert.ok(text.includes('standby_gateway_requests_total{service="s",status="other"} 50\n'));
    assert.equal(text.split('\n').filter((line) => line.startsWith('standby_upstream_errors_total{')).length, 1);
  });

  test('a service with no active target reports 0 for every target it had', () => {
    const metrics = createMetrics();
    metrics.setActiveTarget('svc', 'a');
    metrics.setActiveTarget('svc', null);
    assert.ok(metrics.render().includes('standby_service_active_target{service="svc",target="a"} 0\n'));
  });

  test("a service's tier is one-hot over the four tiers, and follows changes", () => {
    const metrics = createMetrics();
    metrics.setServiceTier('svc', 'degraded');
    metrics.setServiceTier('svc', 'emergency');
    const lines = metrics.render().split('\n').filter((line) => line.startsWith('standby_service_tier{'));
    assert.deepEqual(lines, [
      'standby_service_tier{service="svc",tier="degraded"} 0',
      'standby_service_tier{service="svc",tier="emergency"} 1',
      'standby_service_tier{service="svc",tier="full"} 0',
      'standby_service_tier{service="svc",tier="minimal"} 0',
    ]);
  });

  test('negative and non-finite durations do not corrupt histograms', () => {
    const metrics = createMetrics();
    metrics.observeAttempt({ target: 't', service: 's', outcome: 'success', errorClass: null, latencyMs: -5, ttftMs: Number.NaN });
    const text = metrics.render();
    assert.ok(text.includes('standby_upstream_latency_seconds_bucket{target="t",le="0.05"} 1\n'));
    assert.ok(text.includes('standby_upstream_latency_seconds_sum{target="t"} 0\n'));
    assert.ok(!text.includes('standby_upstream_ttft_seconds_count'));
  });
});
