/**
 * Callers waiting for the next item of a source that pushes (datagrams, for UDP), first come first
 * served, each of which may give up: a wait that times out or is aborted leaves at once, so the
 * next item goes to a caller still waiting and nothing is kept for the one that left.
 */
import type { WirekitError } from '../errors.js';

/** How a wait may end early, and the errors it then rejects with. */
export interface WaitOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The rejection of a wait that timed out. */
  timedOut(timeoutMs: number): WirekitError;
  /** The rejection of a wait whose signal aborted. */
  aborted(signal: AbortSignal): WirekitError;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: WirekitError): void;
}

/**
 * A FIFO of pending waits.
 *
 * @example
 * ```ts
 * const waiters = new Waiters<Datagram | null>();
 * const next = waiters.wait({ timeoutMs: 1_000, timedOut, aborted });
 * waiters.resolveNext(datagram); // false when nobody waits: queue the datagram instead
 * ```
 */
export class Waiters<T> {
  readonly #waiting = new Set<Waiter<T>>();

  /** Waits still pending. */
  get size(): number {
    return this.#waiting.size;
  }

  /** A new wait, at the back; it rejects with `timedOut`/`aborted` if it gives up first. */
  wait(options: WaitOptions): Promise<T> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) return Promise.reject(options.aborted(signal));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (then: () => void): void => {
        if (settled) return;
        settled = true;
        this.#waiting.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      const onAbort = (): void => settle(() => reject(options.aborted(signal as AbortSignal)));
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => settle(() => reject(options.timedOut(timeoutMs))), timeoutMs);
      const waiter: Waiter<T> = {
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(waiter);
    });
  }

  /** Gives `value` to the oldest wait; false when nobody waits. */
  resolveNext(value: T): boolean {
    const waiter = this.#oldest();
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  /** Rejects the oldest wait with `error`; false when nobody waits. */
  rejectNext(error: WirekitError): boolean {
    const waiter = this.#oldest();
    waiter?.reject(error);
    return waiter !== undefined;
  }

  /** Gives `value` to every wait. */
  resolveAll(value: T): void {
    for (const waiter of [...this.#waiting]) waiter.resolve(value);
  }

  #oldest(): Waiter<T> | undefined {
    const waiter: Waiter<T> | undefined = this.#waiting.values().next().value;
    if (waiter !== undefined) this.#waiting.delete(waiter);
    return waiter;
  }
}
