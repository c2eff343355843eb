/**
 * `loadTest()`: the engine. It keeps `connections` lanes busy (closed loop: each answer sends the
 * next request) or releases requests on a fixed schedule (`rate`), times every request, and stops
 * at the first of its bounds: the duration, the number of requests, or the caller's signal.
 *
 * Fixed rate, as wrk2 does it (coordinated omission): request i is due at `start + i / rate`. It
 * is sent then if a connection has room, else as soon as one has; either way its latency counts
 * from when it was due, so a server that stalls for a second shows a second of latency on every
 * request that should have gone out meanwhile, not just on the one that was waiting.
 */
import { WirekitError } from '../../errors.js';
import type { DriverConnection, LaneFailure, LaneSink, LoadDriver } from './driver.js';
import { H2Driver } from './h2-driver.js';
import { HttpDriver } from './http-driver.js';
import { type LoadProtocol, type LoadTestOptions, type ResolvedLoadOptions, resolveLoadOptions } from './options.js';
import { Recorder } from './recorder.js';
import type { LoadTestResult, StopReason } from './result.js';
import { buildResult } from './result-builder.js';
import { groupTargets, type WireRequest } from './targets.js';
import { DEFAULT_MESSAGE_BYTES, groupWsTargets, WsDriver } from './ws-driver.js';

/**
 * Runs a load test and resolves with what it measured. It never rejects for what the server
 * does (refused connections, resets, timeouts, bad responses are counted); it rejects only for bad
 * options (`WK_ERR_INVALID_ARGUMENT`, before any connection).
 *
 * @example
 * ```ts
 * import { loadTest } from 'wirekit/tools';
 *
 * const result = await loadTest({ targets: ['http://127.0.0.1:8080/'], connections: 50, durationMs: 5_000 });
 * console.log(`${result.rps.toFixed(0)} req/s, p99 ${result.latency.p99} ms, ${result.errors} errors`);
 * ```
 */
export async function loadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const settings = resolveLoadOptions(options);
  const { driver, groups, protocol } = makeDriver(options, settings);
  if (settings.connections < groups.length) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `${groups.length} ${protocol === 'ws' ? 'WebSocket URLs' : 'origins'} need at least as many connections, got ${settings.connections}`,
    );
  }
  await driver.prepare();
  options.onStart?.();
  const targets = groups.flatMap((g) => g.requests).sort((a, b) => a.index - b.index);
  const run = new LoadRun(driver, settings, options, targets.length, protocol);
  const stopped = await run.done;
  return buildResult(run, stopped, settings, targets);
}

/** The driver for the targets: WebSocket for `ws:`/`wss:` URLs, else HTTP/1.1 or (`http2`) HTTP/2. */
function makeDriver(
  options: LoadTestOptions,
  settings: ResolvedLoadOptions,
): { driver: LoadDriver; groups: readonly { requests: readonly WireRequest[] }[]; protocol: LoadProtocol } {
  const tls = options.tls;
  const timeoutMs = settings.timeoutMs;
  const ws = options.targets.map((t) => /^wss?:/i.test(typeof t === 'string' ? t : t.url));
  if (ws.some((isWs) => isWs)) {
    if (!ws.every((isWs) => isWs)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'WebSocket and HTTP targets cannot share a run');
    }
    if (options.http2 === true) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'http2 does not apply to ws: URLs');
    const groups = groupWsTargets(options.targets, options.messageBytes ?? DEFAULT_MESSAGE_BYTES);
    return { driver: new WsDriver(groups, { timeoutMs, tls }), groups, protocol: 'ws' };
  }
  const groups = groupTargets(options.targets);
  if (options.http2 === true) {
    return { driver: new H2Driver(groups, options.targets, { timeoutMs, tls }), groups, protocol: 'h2' };
  }
  return { driver: new HttpDriver(groups, { timeoutMs, tls }), groups, protocol: 'http/1.1' };
}

/** One connection slot: it reconnects when its connection closes, as long as there is work. */
class Lane implements LaneSink {
  readonly #run: LoadRun;
  readonly group: number;
  readonly #groupSize: number;
  /** Start (or due) times and request indices of the requests in flight: a ring of `pipelining` slots. */
  readonly #starts: Float64Array;
  readonly #indices: Int32Array;
  #head = 0;
  inflight = 0;
  #next = 0;
  #now = 0;
  conn: DriverConnection | undefined;
  open = false;
  /** On the run's stack of lanes with room, waiting for a due request (fixed rate). */
  waiting = false;

  constructor(run: LoadRun, group: number, groupSize: number, depth: number) {
    this.#run = run;
    this.group = group;
    this.#groupSize = groupSize;
    this.#starts = new Float64Array(depth);
    this.#indices = new Int32Array(depth);
  }

  connect(): void {
    this.#run.connectionsOpened++;
    this.conn = this.#run.driver.open(this.group, this);
  }

  /** Writes the next request of the group, timed from `start`. */
  send(start: number): void {
    const depth = this.#starts.length;
    const slot = (this.#head + this.inflight) % depth;
    const index = this.#next;
    this.#next = index + 1 === this.#groupSize ? 0 : index + 1;
    this.#starts[slot] = start;
    this.#indices[slot] = index;
    this.inflight++;
    this.#run.recorder.bytesWritten += this.#run.driver.requestBytes(this.group, index);
    (this.conn as DriverConnection).send(index);
  }

  // ---- LaneSink ----

  opened(): void {
    this.open = true;
    this.#run.fill(this);
  }

  read(bytes: number, now: number): void {
    this.#now = now;
    this.#run.recorder.read(bytes);
  }

  answered(status: number): void {
    const run = this.#run;
    if (run.finished) return;
    const slot = this.#head;
    this.#head = slot + 1 === this.#starts.length ? 0 : slot + 1;
    this.inflight--;
    const target = run.driver.targetOf(this.group, this.#indices[slot] as number);
    run.recorder.answered(this.#now - (this.#starts[slot] as number), status, target);
    run.settle(1);
  }

  readDone(): void {
    if (!this.#run.finished) this.#run.fill(this);
  }

  closed(failure: LaneFailure | undefined): void {
    const run = this.#run;
    const wasOpen = this.open;
    this.open = false;
    this.conn = undefined;
    if (run.finished) return;
    // An open connection that fails with nothing in flight failed no request: reconnect quietly.
    if (wasOpen && this.inflight === 0) failure = undefined;
    const depth = this.#starts.length;
    for (let i = 0; i < this.inflight; i++) {
      const slot = (this.#head + i) % depth;
      const target = run.driver.targetOf(this.group, this.#indices[slot] as number);
      if (failure !== undefined) run.recorder.failed(failure.error, failure.phase, target);
      else run.retry.push(this.#starts[slot] as number);
    }
    if (failure !== undefined) {
      if (this.inflight > 0) run.settle(this.inflight);
      else run.connectFailed(failure);
    }
    this.inflight = 0;
    this.#head = 0;
    if (!run.finished) run.relaunch(this);
  }
}

/** The state of one run: lanes, bounds, schedule, timers. */
class LoadRun {
  readonly driver: LoadDriver;
  readonly recorder: Recorder;
  readonly settings: ResolvedLoadOptions;
  readonly protocol: LoadProtocol;
  readonly startMs: number;
  readonly startedAt = new Date();
  readonly done: Promise<StopReason>;
  /** Start (or due) times of requests to send again (their connection closed before them). */
  readonly retry: number[] = [];
  readonly #lanes: Lane[] = [];
  /** Lanes with room, waiting for the next due request (fixed rate only). */
  readonly #waiting: Lane[] = [];
  readonly #options: LoadTestOptions;
  readonly #intervalMs: number;
  readonly #timers: NodeJS.Timeout[] = [];
  #rateTimer: NodeJS.Timeout | undefined;
  #resolve!: (reason: StopReason) => void;
  #onAbort: (() => void) | undefined;
  issued = 0;
  settled = 0;
  connectionsOpened = 0;
  finished = false;
  endMs = 0;
  inFlightAtEnd = 0;

  constructor(
    driver: LoadDriver,
    settings: ResolvedLoadOptions,
    options: LoadTestOptions,
    targets: number,
    protocol: LoadProtocol,
  ) {
    this.driver = driver;
    this.protocol = protocol;
    this.settings = settings;
    this.#options = options;
    this.#intervalMs = settings.rate > 0 ? 1000 / settings.rate : 0;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.startMs = performance.now();
    this.recorder = new Recorder(this.startMs, targets);
    const groups = driver.groupSizes.length;
    for (let i = 0; i < settings.connections; i++) {
      this.#lanes.push(new Lane(this, i % groups, driver.groupSizes[i % groups] as number, settings.pipelining));
    }
    this.#start();
  }

  #start(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) {
      this.finish('signal');
      return;
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.finish('signal');
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    if (Number.isFinite(this.settings.durationMs)) {
      // setTimeout holds at most 2^31 - 1 ms (24.8 days).
      const ms = Math.min(this.settings.durationMs, 2 ** 31 - 1);
      this.#timers.push(setTimeout(() => this.finish('duration'), ms));
    }
    this.#timers.push(setInterval(() => this.#progress(), this.settings.progressIntervalMs));
    for (const lane of this.#lanes) lane.connect();
    if (this.#intervalMs > 0) this.#scheduleRelease();
  }

  /** Sends what `lane` has room for and is available now; a lane left with room waits for the schedule. */
  fill(lane: Lane): void {
    if (!lane.open) return;
    const depth = this.settings.pipelining;
    const now = performance.now();
    while (lane.inflight < depth) {
      const start = this.#take(now);
      if (start < 0) break;
      lane.send(start);
    }
    lane.conn?.flush();
    if (lane.inflight < depth && this.#intervalMs > 0 && !lane.waiting) {
      lane.waiting = true;
      this.#waiting.push(lane);
    }
  }

  /** The start time of the next request to send now, or -1 when none is available. */
  #take(now: number): number {
    if (this.retry.length > 0) {
      const start = this.retry.shift() as number;
      return this.#intervalMs > 0 ? start : now;
    }
    if (this.issued >= this.settings.requests) return -1;
    if (this.#intervalMs === 0) {
      this.issued++;
      return now;
    }
    const due = this.startMs + this.issued * this.#intervalMs;
    if (due > now) return -1;
    this.issued++;
    return due;
  }

  /** Fixed rate: hands due requests to waiting lanes, then sleeps until the next one is due. */
  #release(): void {
    this.#rateTimer = undefined;
    if (this.finished) return;
    const now = performance.now();
    while (this.#waiting.length > 0 && this.#due(now)) {
      const lane = this.#waiting.pop() as Lane;
      lane.waiting = false;
      if (lane.conn === undefined) lane.connect();
      else this.fill(lane);
    }
    this.#scheduleRelease();
  }

  #due(now: number): boolean {
    return (
      this.retry.length > 0 ||
      (this.issued < this.settings.requests && this.startMs + this.issued * this.#intervalMs <= now)
    );
  }

  #scheduleRelease(): void {
    if (this.finished || this.#rateTimer !== undefined || this.issued >= this.settings.requests) return;
    const wait = this.startMs + this.issued * this.#intervalMs - performance.now();
    this.#rateTimer = setTimeout(() => this.#release(), Math.max(0, wait));
  }

  /** `n` requests were answered or failed. */
  settle(n: number): void {
    this.settled += n;
    if (this.settled >= this.settings.requests) this.finish('requests');
  }

  /** A connection attempt failed: it counts as one failed request when one was available to send. */
  connectFailed(failure: LaneFailure): void {
    this.recorder.failed(failure.error, failure.phase, -1);
    if (this.#take(performance.now()) >= 0) this.settle(1);
  }

  /** A lane lost its connection: reconnect now (closed loop) or when a request is due for it (fixed rate). */
  relaunch(lane: Lane): void {
    if (this.#intervalMs > 0 && !this.#due(performance.now())) {
      if (!lane.waiting) {
        lane.waiting = true;
        this.#waiting.push(lane);
      }
      return;
    }
    if (this.issued < this.settings.requests || this.retry.length > 0) lane.connect();
  }

  #progress(): void {
    const now = performance.now();
    this.recorder.tick(now);
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    let inFlight = 0;
    for (const lane of this.#lanes) inFlight += lane.inflight;
    const r = this.recorder;
    onProgress({
      elapsedMs: now - this.startMs,
      durationMs: Number.isFinite(this.settings.durationMs) ? this.settings.durationMs : undefined,
      plannedRequests: Number.isFinite(this.settings.requests) ? this.settings.requests : undefined,
      requests: r.requests,
      errors: r.errors,
      rps: r.recentRate(now),
      protocol: this.protocol,
      p50: r.latency.percentile(50),
      p99: r.latency.percentile(99),
      inFlight,
    });
  }

  /** Stops everything; requests in flight are dropped (counted in `inFlightAtEnd`). */
  finish(reason: StopReason): void {
    if (this.finished) return;
    this.finished = true;
    this.endMs = performance.now();
    for (const timer of this.#timers) clearTimeout(timer);
    if (this.#rateTimer !== undefined) clearTimeout(this.#rateTimer);
    if (this.#onAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    for (const lane of this.#lanes) {
      this.inFlightAtEnd += lane.inflight;
      lane.conn?.close();
      lane.conn = undefined;
    }
    this.recorder.finish(this.endMs);
    this.#resolve(reason);
  }

  /** Fixed rate: requests due by the stop that were never sent. */
  unsent(): number {
    if (this.#intervalMs === 0) return 0;
    const due = Math.min(this.settings.requests, Math.floor((this.endMs - this.startMs) / this.#intervalMs) + 1);
    return Math.max(0, due - this.issued) + this.retry.length;
  }
}

export type { LoadRun };
