/** Turns a finished run's counters into its {@link LoadTestResult}. */
import type { LoadRun } from './load-test.js';
import type { ResolvedLoadOptions } from './options.js';
import { type LoadTestResult, RESULT_SCHEMA, type StopReason, statusClassesOf } from './result.js';
import type { WireRequest } from './targets.js';

/**
 * The result of a finished run.
 *
 * @example
 * ```ts
 * const result = buildResult(run, await run.done, settings, targets);
 * ```
 */
export function buildResult(
  run: LoadRun,
  stopped: StopReason,
  settings: ResolvedLoadOptions,
  targets: readonly WireRequest[],
): LoadTestResult {
  const r = run.recorder;
  const durationMs = run.endMs - run.startMs;
  const seconds = durationMs / 1000;
  const statusCodes: Record<string, number> = {};
  r.statuses.forEach((n, code) => {
    // 0: answers without a status (WebSocket echoes).
    if (n > 0 && code > 0) statusCodes[String(code)] = n;
  });
  return {
    schema: RESULT_SCHEMA,
    protocol: run.protocol,
    startedAt: run.startedAt.toISOString(),
    options: {
      connections: settings.connections,
      pipelining: settings.pipelining,
      durationMs: Number.isFinite(settings.durationMs) ? settings.durationMs : null,
      requests: Number.isFinite(settings.requests) ? settings.requests : null,
      rate: settings.rate > 0 ? settings.rate : null,
      timeoutMs: settings.timeoutMs,
    },
    targets: targets.map((t) => ({
      method: t.method,
      url: t.url,
      requests: r.targetRequests[t.index] ?? 0,
      errors: r.targetErrors[t.index] ?? 0,
    })),
    stopped,
    durationMs,
    requests: r.requests,
    rps: seconds > 0 ? r.requests / seconds : 0,
    errors: r.errors,
    errorPhases: r.phaseCounts(),
    errorCodes: Object.fromEntries(r.codes),
    statusCodes,
    statusClasses: statusClassesOf(statusCodes),
    latency: r.latency.summary(),
    bytes: { read: r.bytesRead, written: r.bytesWritten, readPerSecond: seconds > 0 ? r.bytesRead / seconds : 0 },
    connections: { opened: run.connectionsOpened },
    inFlightAtEnd: run.inFlightAtEnd,
    unsent: run.unsent(),
    timeline: r.timeline,
    histogram: r.latency.encode(),
  };
}
