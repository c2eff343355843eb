/**
 * A first-in first-out queue with O(1) push and shift. Arrays shift in O(n); this keeps a head
 * index instead and compacts the dead prefix now and then, so a long-lived queue that never
 * quite empties does not grow without bound. Imports nothing.
 */

/** The items of every empty queue; never written to (push and unshift replace it first). */
const NONE: never[] = [];

/**
 * A FIFO queue.
 *
 * @example
 * ```ts
 * const queue = new Fifo<string>();
 * queue.push('a');
 * queue.push('b');
 * queue.shift(); // 'a'
 * queue.length; // 1
 * ```
 */
export class Fifo<T> {
  /** {@link NONE} until the first item (an empty queue costs no array of its own). */
  #items: (T | undefined)[] = NONE;
  #head = 0;

  /** Number of items queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item at the back. */
  push(item: T): void {
    if (this.#items === NONE) this.#items = [];
    this.#items.push(item);
  }

  /** Adds an item at the front. */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else if (this.#items === NONE) this.#items = [item];
    else this.#items.unshift(item);
  }

  /** Removes and returns the front item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined; // let it be collected
    if (this.#head === this.#items.length) this.clear();
    else if (this.#head >= 64 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The item at `index` from the front (0 = front), or undefined past the end. */
  at(index: number): T | undefined {
    return index < 0 ? undefined : this.#items[this.#head + index];
  }

  /** Replaces the front item (the queue must not be empty). */
  replaceFirst(item: T): void {
    this.#items[this.#head] = item;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = NONE;
    this.#head = 0;
  }

  /** Removes and returns every item, front first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.clear();
    return items;
  }
}
