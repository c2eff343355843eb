/**
 * The primary of a cluster: forks the workers (`node:cluster`, which re-runs the main module with
 * a marker in the environment), tells each how to listen, restarts crashed ones with backoff,
 * gives up on a crash loop, reloads without dropping a connection, and drains on SIGTERM/SIGINT.
 * See docs/architecture.md, Scaling out, for why listening sockets outlive worker generations.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import { type SocketAddress, WirekitError } from '../errors.js';
import { type Deferred, deferred } from '../util/deferred.js';
import type { ClusterServer, ClusterWorkerInfo } from './cluster-server.js';
import { MAX_RESTART_DELAY_MS, type ResolvedClusterOptions } from './options.js';
import { type ClusterMessage, isClusterMessage, WORKER_ENV } from './protocol.js';
import { TopicRelay } from './topic-relay.js';

/** A listening socket's native handle, as it arrives over IPC (a TCP wrap). */
interface NativeHandle {
  close(callback?: () => void): void;
}

interface WorkerRecord {
  readonly slot: Slot;
  readonly generation: number;
  readonly worker: Worker;
  state: ClusterWorkerInfo['state'];
  readonly listening: Deferred<void>;
  readonly exited: Deferred<void>;
  timer: NodeJS.Timeout | undefined;
}

interface Slot {
  readonly index: number;
  /** The live worker that fills it (the newest generation that listens). */
  current: WorkerRecord | undefined;
  /** reuseport: a duplicate of its listening socket, handed to each successor. */
  handle: NativeHandle | undefined;
  crashes: number[];
  gaveUp: boolean;
  restart: NodeJS.Timeout | undefined;
}

/** After the drain deadline, a worker that has not exited is killed this much later. */
const KILL_GRACE_MS = 5_000;

/** Starts the workers and resolves once all listen; rejects `WK_ERR_CLUSTER` when the first cannot. */
export async function startPrimary(options: ResolvedClusterOptions, port: number): Promise<ClusterServer> {
  // Round robin with port 0: node:cluster binds anew (another random port) once its last worker is
  // gone, so a lone worker's restart would move. Pick the port once, here.
  const fixed = port === 0 && options.balancing === 'round-robin' ? await freePort() : port;
  const primary = new Primary(options, fixed);
  await primary.start();
  return primary.view();
}

class Primary {
  readonly #options: ResolvedClusterOptions;
  readonly #slots: Slot[];
  readonly #records = new Set<WorkerRecord>();
  readonly #relay = new TopicRelay((worker, message) => send(worker, message));
  #port: number;
  readonly #requestedPort: number;
  #address: SocketAddress | undefined;
  #generation = 0;
  #reloading: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #signals: [NodeJS.Signals, () => void][] = [];

  constructor(options: ResolvedClusterOptions, port: number) {
    this.#options = options;
    this.#port = port;
    this.#requestedPort = port;
    this.#slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      current: undefined,
      handle: undefined,
      crashes: [],
      gaveUp: false,
      restart: undefined,
    }));
  }

  async start(): Promise<void> {
    const { balancing, exec, args, workers, log } = this.#options;
    // The primary accepts and hands out connections only in round-robin mode; reuseport workers bind their own.
    cluster.schedulingPolicy = cluster.SCHED_RR;
    cluster.setupPrimary({ exec, args: [...args] });
    log(
      balancing === 'reuseport'
        ? `${workers} workers, the kernel balancing connections (SO_REUSEPORT)`
        : `${workers} workers, the primary handing out connections in turn (node:cluster round robin${
            process.platform === 'linux' ? `: Node ${process.versions.node} has no reusePort` : ''
          })`,
    );
    const [first, ...rest] = this.#slots as [Slot, ...Slot[]];
    try {
      // The first worker alone: with port 0 it picks the port the others then share.
      await this.#fork(first, 0).listening.promise;
      await Promise.all(rest.map((slot) => this.#fork(slot, 0).listening.promise));
    } catch (error) {
      await this.close();
      throw error;
    }
    if (this.#options.handleSignals) this.#handleSignals();
  }

  view(): ClusterServer {
    const records = this.#records;
    const address = this.#address as SocketAddress;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      role: 'primary',
      worker: undefined,
      balancing: this.#options.balancing,
      address,
      url: `http://${host}:${address.port}`,
      get workers() {
        return primaryWorkers();
      },
      server: undefined,
      reload: () => this.reload(),
      close: (options = {}) => this.close(options.timeoutMs),
      [Symbol.asyncDispose]: () => this.close(),
    };
    function primaryWorkers(): ClusterWorkerInfo[] {
      return [...records].map((r) => ({
        slot: r.slot.index,
        generation: r.generation,
        pid: r.worker.process.pid,
        state: r.state,
      }));
    }
  }

  /** New workers for every slot; once all listen, the old ones drain. */
  reload(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    if (this.#closing !== undefined) throw new WirekitError('WK_ERR_CLUSTER_RELOAD', 'the cluster is closing');
    const generation = ++this.#generation;
    this.#options.log(`reloading: starting generation ${generation}`);
    const fresh = this.#slots.map((slot) => {
      slot.gaveUp = false;
      slot.crashes = [];
      return this.#fork(slot, generation);
    });
    const started = await Promise.allSettled(fresh.map((r) => r.listening.promise));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      for (const record of fresh) this.#drain(record);
      this.#options.log(
        `reload failed, the old workers keep serving: ${String(failed.reason?.message ?? failed.reason)}`,
      );
      throw new WirekitError('WK_ERR_CLUSTER_RELOAD', 'a new worker did not start', { cause: failed.reason });
    }
    const old = [...this.#records].filter((r) => r.generation < generation && r.state !== 'draining');
    for (const record of fresh) record.slot.current = record;
    for (const record of old) this.#drain(record);
    await Promise.all(old.map((r) => r.exited.promise));
    this.#options.log(`reloaded: generation ${generation} serving`);
  }

  close(timeoutMs?: number): Promise<void> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number | undefined): Promise<void> {
    for (const [signal, listener] of this.#signals) process.off(signal, listener);
    for (const slot of this.#slots) {
      clearTimeout(slot.restart);
      // First our duplicates: once the workers close theirs, the sockets are gone (new connections refused, not queued).
      this.#closeHandle(slot);
    }
    const records = [...this.#records];
    for (const record of records) this.#drain(record, timeoutMs);
    await Promise.all(records.map((r) => r.exited.promise));
  }

  #fork(slot: Slot, generation: number): WorkerRecord {
    const worker = cluster.fork({ [WORKER_ENV]: `${slot.index}:${generation}` });
    const record: WorkerRecord = {
      slot,
      generation,
      worker,
      state: 'starting',
      listening: deferred<void>(),
      exited: deferred<void>(),
      timer: undefined,
    };
    record.listening.promise.catch(() => {});
    this.#records.add(record);
    if (slot.current === undefined) slot.current = record;
    record.timer = setTimeout(() => {
      this.#options.log(
        `worker ${slot.index} (pid ${worker.process.pid}) did not listen within ${this.#options.startTimeoutMs} ms: killing it`,
      );
      worker.process.kill('SIGKILL');
    }, this.#options.startTimeoutMs);
    worker.on('message', (message: unknown, handle: unknown) => {
      if (isClusterMessage(message)) this.#onMessage(record, message, handle as NativeHandle | undefined);
    });
    worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => this.#onExit(record, code, signal));
    // An IPC or spawn error: the exit that follows is what counts.
    worker.on('error', () => {});
    return record;
  }

  #onMessage(record: WorkerRecord, message: ClusterMessage, handle: NativeHandle | undefined): void {
    switch (message.wirekit) {
      case 'listen?': {
        const slot = record.slot;
        const adopt = this.#options.balancing === 'reuseport' && slot.handle !== undefined;
        // Round robin: node:cluster shares one socket per (address, port) as asked, so every worker asks the same.
        const port = this.#options.balancing === 'reuseport' ? this.#port : this.#requestedPort;
        const reply: ClusterMessage = {
          wirekit: 'listen',
          port,
          balancing: this.#options.balancing,
          adopt,
        };
        send(record.worker, reply, adopt ? slot.handle : undefined);
        return;
      }
      case 'listening':
        clearTimeout(record.timer);
        record.state = 'listening';
        this.#address ??= message.address;
        this.#port = message.address.port;
        if (handle !== undefined && this.#options.balancing === 'reuseport') {
          if (record.slot.handle === undefined) record.slot.handle = handle;
          else handle.close();
        }
        this.#relay.joined(record.worker);
        record.listening.resolve();
        return;
      case 'drained':
        send(record.worker, { wirekit: 'exit' });
        return;
      case 'reload?':
        this.reload().catch(() => {});
        return;
      case 'topic':
      case 'subscribe':
      case 'unsubscribe':
        this.#relay.receive(record.worker, message);
        return;
      default:
        return;
    }
  }

  #onExit(record: WorkerRecord, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(record.timer);
    this.#records.delete(record);
    this.#relay.left(record.worker);
    const how = signal === null ? `code ${code}` : `signal ${signal}`;
    const slot = record.slot;
    if (record.state === 'starting') {
      record.listening.reject(
        new WirekitError('WK_ERR_CLUSTER', `worker ${slot.index} exited with ${how} before it listened`),
      );
    }
    record.exited.resolve();
    if (slot.current === record) slot.current = undefined;
    const expected = record.state === 'draining' || this.#closing !== undefined;
    if (expected) return;
    this.#options.log(`worker ${slot.index} (pid ${record.worker.process.pid}) exited with ${how}`);
    // A worker of an older generation, or one whose successor is starting: nothing to refill.
    if (slot.current !== undefined || this.#reloading !== undefined) return;
    this.#crashed(slot);
  }

  #crashed(slot: Slot): void {
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((t) => now - t < this.#options.crashWindowMs), now];
    if (slot.crashes.length >= this.#options.maxCrashes) {
      slot.gaveUp = true;
      this.#closeHandle(slot);
      this.#options.log(
        `worker ${slot.index} crashed ${slot.crashes.length} times within ${this.#options.crashWindowMs} ms: not restarting it`,
      );
      if (this.#slots.every((s) => s.gaveUp)) {
        this.#options.log('no worker left: the cluster stops');
        process.exitCode = 1;
        void this.close();
      }
      return;
    }
    const delay = Math.min(this.#options.restartDelayMs * 2 ** (slot.crashes.length - 1), MAX_RESTART_DELAY_MS);
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (this.#closing === undefined && slot.current === undefined) {
        this.#fork(slot, this.#generation).listening.promise.catch(() => {});
      }
    }, delay);
  }

  #drain(record: WorkerRecord, timeoutMs = this.#options.drainTimeoutMs): void {
    if (record.state === 'draining') return;
    record.state = 'draining';
    clearTimeout(record.timer);
    send(record.worker, { wirekit: 'drain', delayMs: this.#options.drainDelayMs, timeoutMs });
    record.timer = setTimeout(
      () => {
        this.#options.log(
          `worker ${record.slot.index} (pid ${record.worker.process.pid}) did not exit after draining: killing it`,
        );
        record.worker.process.kill('SIGKILL');
      },
      this.#options.drainDelayMs + timeoutMs + KILL_GRACE_MS,
    );
  }

  #closeHandle(slot: Slot): void {
    slot.handle?.close();
    slot.handle = undefined;
  }

  #handleSignals(): void {
    const reload = (): void => void this.reload().catch(() => {});
    const stop = (signal: NodeJS.Signals) => (): void => {
      this.#options.log(`${signal}: draining ${this.#records.size} workers`);
      void this.close().then(() => process.exit(process.exitCode ?? 0));
    };
    this.#signals.push(['SIGHUP', reload], ['SIGTERM', stop('SIGTERM')], ['SIGINT', stop('SIGINT')]);
    for (const [signal, listener] of this.#signals) process.on(signal, listener);
  }
}

/** A port free right now on the loopback interface (bound and released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Sends to a worker, ignoring a channel that closed meanwhile (its exit is handled elsewhere). */
function send(worker: Worker, message: ClusterMessage, handle?: object): void {
  if (!worker.isConnected()) return;
  try {
    worker.send(message, handle as never, () => {});
  } catch {
    // The channel closed between the check and the send.
  }
}
