/**
 * The primary's half of the WebSocket topic relay: a worker publishes a topic message to the
 * primary, which forwards it to every other worker with a subscriber to that topic (each worker
 * delivers it to its own subscribers). Only topics some worker wants cross the IPC channels.
 */
import type { Worker } from 'node:cluster';
import type { ClusterMessage, TopicInterest, TopicMessage } from './protocol.js';

/** Most topics one worker may be subscribed to through the relay (a bound on the primary's memory). */
export const MAX_RELAYED_TOPICS_PER_WORKER = 100_000;

/**
 * Which worker wants which topics, and the forwarding.
 *
 * @example
 * ```ts
 * const relay = new TopicRelay((worker, message) => worker.send(message));
 * ```
 */
export class TopicRelay {
  readonly #interest = new Map<Worker, Set<string>>();
  readonly #send: (worker: Worker, message: ClusterMessage) => void;

  constructor(send: (worker: Worker, message: ClusterMessage) => void) {
    this.#send = send;
  }

  /** A worker is listening: it may publish and subscribe from now on. */
  joined(worker: Worker): void {
    if (!this.#interest.has(worker)) this.#interest.set(worker, new Set());
  }

  left(worker: Worker): void {
    this.#interest.delete(worker);
  }

  receive(from: Worker, message: TopicMessage | TopicInterest): void {
    if (message.wirekit === 'topic') {
      for (const [worker, topics] of this.#interest) {
        if (worker !== from && topics.has(message.topic)) this.#send(worker, message);
      }
      return;
    }
    if (typeof message.topic !== 'string') return;
    let topics = this.#interest.get(from);
    if (topics === undefined) {
      topics = new Set();
      this.#interest.set(from, topics);
    }
    if (message.wirekit === 'unsubscribe') topics.delete(message.topic);
    else if (topics.size < MAX_RELAYED_TOPICS_PER_WORKER) topics.add(message.topic);
  }
}
