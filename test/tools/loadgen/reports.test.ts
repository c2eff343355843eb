/**
 * The pure parts of the load generator: the comparison and its interval, the text report, the
 * progress line and its painter (terminal and pipe), request lists, chart ticks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { paintProgress } from '../../../src/cli/bench-display.js';
import {
  compareResults,
  formatComparison,
  formatProgress,
  formatResult,
  LatencyHistogram,
  type LoadProgress,
  type LoadTarget,
  type LoadTestResult,
  parseRequestList,
  RESULT_SCHEMA,
  welchInterval,
} from '../../../src/tools/index.js';
import { niceTicks } from '../../../src/tools/loadgen/svg-chart.js';

/** A result with per-second samples `rps` (and latency `p50` for every second). */
function syntheticResult(rps: readonly number[], p50 = 1, p99 = 5): LoadTestResult {
  const h = new LatencyHistogram();
  for (let i = 0; i < 99; i++) h.record(p50);
  h.record(p99);
  const requests = rps.reduce((s, x) => s + x, 0);
  return {
    schema: RESULT_SCHEMA,
    startedAt: new Date(0).toISOString(),
    options: {
      connections: 10,
      pipelining: 1,
      durationMs: rps.length * 1000,
      requests: null,
      rate: null,
      timeoutMs: 10_000,
    },
    targets: [{ method: 'GET', url: 'http://127.0.0.1:8080/', requests, errors: 0 }],
    stopped: 'duration',
    durationMs: rps.length * 1000,
    requests,
    rps: requests / rps.length,
    errors: 0,
    errorPhases: { connect: 0, tls: 0, headers: 0, body: 0, timeout: 0 },
    errorCodes: {},
    statusCodes: { 200: requests },
    statusClasses: { '2xx': requests },
    latency: h.summary(),
    bytes: { read: requests * 100, written: requests * 40, readPerSecond: (requests * 100) / rps.length },
    connections: { opened: 10 },
    inFlightAtEnd: 0,
    unsent: 0,
    timeline: rps.map((r, t) => ({ t, ms: 1000, requests: r, errors: 0, bytesRead: r * 100, p50, p99, max: p99 })),
    histogram: h.encode(),
  };
}

describe('latency histogram', () => {
  test('values counted in bulk and values recorded at once give the same distribution', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 5_000; i++) values.push(((i * 7919) % 1000) / 10 + (i % 97 === 0 ? 400 : 0)); // 0–100 ms, some 400+
    for (const v of values) h.record(v);
    h.record(-1); // counts as 0
    h.record(10 * 3_600_000); // beyond an hour: an hour
    assert.equal(h.count, 5_002);
    const sorted = [...values, 0, 3_600_000].sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
      assert.ok(Math.abs(h.percentile(p) - exact) <= exact * 0.001 + 0.001, `p${p}: ${h.percentile(p)} vs ${exact}`);
    }
    assert.ok(Math.abs(h.percentile(100) - 3_600_000) <= 3_600);
    // Reading flushed the pending counts; more values after a read still count.
    h.record(0.5);
    assert.equal(h.count, 5_003);
    const copy = LatencyHistogram.decode(h.encode());
    assert.equal(copy.count, 5_003);
    assert.equal(copy.percentile(99), h.percentile(99));
    const merged = new LatencyHistogram();
    merged.record(1);
    merged.add(h);
    assert.equal(merged.count, 5_004);
    merged.reset();
    assert.equal(merged.count, 0);
    assert.equal(merged.percentile(50), 0);
  });
});

describe('compare', () => {
  test('Welch interval: a clear shift excludes zero, noise does not', () => {
    const shift = welchInterval([100, 102, 98, 101, 99], [110, 112, 108, 111, 109]) as [number, number];
    assert.ok(shift[0] > 0.05 && shift[1] < 0.15, `interval ${shift}`);
    const noise = welchInterval([100, 110, 90, 105, 95], [102, 108, 92, 103, 97]) as [number, number];
    assert.ok(noise[0] < 0 && noise[1] > 0);
    assert.equal(welchInterval([1], [1, 2]), null, 'one second is no sample');
    // Known value: means 10 and 12, variances 2.5 and 2.5, n = 5 each → se 1, df 8, t 2.306.
    const [lo, hi] = welchInterval([8, 9, 10, 11, 12], [10, 11, 12, 13, 14]) as [number, number];
    assert.ok(Math.abs(lo - (2 - 2.306) / 10) < 1e-9 && Math.abs(hi - (2 + 2.306) / 10) < 1e-9);
  });

  test('verdicts follow the direction that is better', () => {
    const a = syntheticResult([1000, 1010, 990, 1005, 995], 2, 10);
    const b = syntheticResult([1200, 1210, 1190, 1205, 1195], 1, 5);
    const c = compareResults(a, b);
    const rps = c.metrics.find((m) => m.name === 'req/s');
    assert.equal(rps?.verdict, 'better');
    assert.ok(Math.abs((rps?.change ?? 0) - 0.2) < 1e-9);
    assert.deepEqual(rps?.aRange, [990, 1010]);
    // Every second says 2 ms, then 1 ms: no spread, so the interval is the point itself.
    assert.deepEqual(c.metrics.find((m) => m.name === 'p50 (ms)')?.interval, [-0.5, -0.5]);
    assert.equal(c.metrics.find((m) => m.name === 'p50 (ms)')?.verdict, 'better');
    assert.equal(compareResults(syntheticResult([1000]), b).metrics[0]?.verdict, 'unknown', 'one second is no sample');
    const worse = compareResults(b, a).metrics.find((m) => m.name === 'req/s');
    assert.equal(worse?.verdict, 'worse');
    const text = formatComparison(c, 'before.json', 'after.json');
    assert.match(text, /A: before\.json \(5 s\)/);
    assert.match(text, /req\/s\s+1,000\s+1,200\s+\+20%/);
    assert.match(text, /B better/);
  });

  test('refuses what is not a result', () => {
    assert.throws(() => compareResults({} as LoadTestResult, syntheticResult([1, 2])), /not a wirekit-bench\/1 result/);
  });
});

describe('text', () => {
  test('the final table', () => {
    const r = syntheticResult([1000, 1000]);
    r.errors = 3;
    r.errorPhases.connect = 2;
    r.errorPhases.timeout = 1;
    r.errorCodes = { WK_ERR_CONNECT: 2, WK_ERR_HEADERS_TIMEOUT: 1 };
    const text = formatResult(r);
    assert.match(text, /^GET http:\/\/127\.0\.0\.1:8080\/: 2\.00 s, 10 connections, pipelining 1, closed loop/);
    assert.match(text, /Latency \(ms\)\s+p50\s+p90\s+p99\s+p99\.9\s+max/);
    assert.match(text, /Requests\s+2,000 in 2\.00 s: 1,000 req\/s/);
    assert.match(text, /Status\s+2xx 2,000/);
    assert.match(text, /Errors\s+3 \(connect 2, timeout 1\): WK_ERR_CONNECT 2, WK_ERR_HEADERS_TIMEOUT 1/);
  });

  const progress: LoadProgress = {
    elapsedMs: 3_250,
    durationMs: 10_000,
    plannedRequests: undefined,
    requests: 320_000,
    errors: 0,
    rps: 98_431,
    p50: 0.92,
    p99: 2.41,
    inFlight: 100,
  };

  test('the progress line', () => {
    assert.equal(formatProgress(progress), '  3.3 s / 10 s     98,431 req/s   p50 0.920 ms   p99 2.41 ms   errors 0');
    assert.match(
      formatProgress({ ...progress, durationMs: undefined, plannedRequests: 1_000_000 }),
      /320,000 of 1,000,000/,
    );
  });

  test('painter: redrawn in place on a terminal, one line per whole second on a pipe', () => {
    const tty = paintProgress(progress, true, 0);
    assert.ok(tty.text.startsWith('\r\x1b[2K') && !tty.text.includes('\n'));
    const first = paintProgress(progress, false, 0);
    assert.equal(first.second, 3);
    assert.ok(first.text.endsWith('\n') && !first.text.includes('\x1b'));
    assert.equal(
      paintProgress({ ...progress, elapsedMs: 3_750 }, false, first.second).text,
      '',
      'same second: nothing',
    );
    assert.notEqual(paintProgress({ ...progress, elapsedMs: 4_010 }, false, first.second).text, '');
  });

  test('chart ticks are round', () => {
    assert.deepEqual(
      niceTicks(0, 9.3).map((t) => t.value),
      [0, 2, 4, 6, 8, 10],
    );
    assert.deepEqual(
      niceTicks(0, 98_431).map((t) => t.label),
      ['0', '20,000', '40,000', '60,000', '80,000', '100,000'],
    );
  });
});

describe('request lists', () => {
  test('paths, urls, methods, headers and bodies; comments and blank lines skipped', () => {
    const list = parseRequestList(
      [
        '# a mix',
        '{"path": "/"}',
        '',
        '{"method": "POST", "path": "/echo?x=1", "headers": {"content-type": "application/json"}, "body": "{\\"a\\":1}"}',
        '{"url": "http://127.0.0.1:9/raw", "headers": [["x-a", "1"], ["x-a", "2"]], "bodyBase64": "AAE="}',
      ].join('\n'),
      'http://127.0.0.1:8080/base/',
    );
    assert.equal(list.length, 3);
    assert.equal(list[0]?.url, 'http://127.0.0.1:8080/');
    assert.equal(list[1]?.url, 'http://127.0.0.1:8080/echo?x=1');
    assert.equal(list[1]?.method, 'POST');
    assert.deepEqual(list[1]?.headers, [['content-type', 'application/json']]);
    assert.equal(list[1]?.body, '{"a":1}');
    assert.deepEqual(list[2]?.headers, [
      ['x-a', '1'],
      ['x-a', '2'],
    ]);
    assert.deepEqual([...((list[2] as LoadTarget).body as Uint8Array)], [0, 1]);
  });

  test('errors name the line', () => {
    assert.throws(() => parseRequestList('{"path": "/"}\nnot json', 'http://h/'), /line 2: not a JSON object/);
    assert.throws(() => parseRequestList('{"path": "/"}'), /line 1: "path" needs a base URL/);
    assert.throws(() => parseRequestList('{"method": 1, "path": "/"}', 'http://h/'), /"method" must be a string/);
    assert.throws(() => parseRequestList('# nothing\n'), /no entry/);
  });
});
