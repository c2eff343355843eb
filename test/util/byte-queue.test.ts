/** util/byte-queue and util/fifo: takes and delimiter search across chunk boundaries. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteQueue, DelimiterSearch } from '../../src/util/byte-queue.js';
import { Fifo } from '../../src/util/fifo.js';
import { bytes, text } from '../net/fixtures.js';

function queueOf(...chunks: string[]): ByteQueue {
  const queue = new ByteQueue();
  for (const chunk of chunks) queue.push(bytes(chunk));
  return queue;
}

test('take returns exact lengths across chunks and keeps the rest', () => {
  const queue = queueOf('ab', 'cde', 'f');
  assert.equal(text(queue.take(1)), 'a');
  assert.equal(text(queue.take(3)), 'bcd');
  assert.equal(queue.length, 2);
  queue.unshift(bytes('X'));
  assert.equal(text(queue.takeAll()), 'Xef');
  assert.equal(queue.length, 0);
  assert.throws(() => queue.take(1), RangeError);
});

test('indexOf finds a multi-byte needle at every position and split', () => {
  const haystack = 'xx\r\nyy\r\n';
  for (let at = 0; at <= haystack.length; at++) {
    for (let at2 = at; at2 <= haystack.length; at2++) {
      const queue = queueOf(haystack.slice(0, at), haystack.slice(at, at2), haystack.slice(at2));
      assert.equal(queue.indexOf(bytes('\r\n')), 2, `split ${at}/${at2}`);
      assert.equal(queue.indexOf(bytes('\r\n'), 3), 6, `split ${at}/${at2}`);
      assert.equal(queue.indexOf(bytes('\r\n\r')), -1);
    }
  }
});

test('DelimiterSearch resumes where it stopped and enforces its limit', () => {
  const queue = new ByteQueue();
  const search = new DelimiterSearch(bytes('\r\n'), 6);
  queue.push(bytes('abc\r'));
  assert.equal(search.find(queue), 'more');
  queue.push(bytes('\nrest'));
  assert.equal(search.find(queue), 3);
  const over = new ByteQueue();
  over.push(bytes('abcdefg'));
  assert.equal(new DelimiterSearch(bytes('\r\n'), 6).find(over), 'more', 'a delimiter may still start at 6');
  over.push(bytes('h'));
  assert.equal(new DelimiterSearch(bytes('\r\n'), 6).find(over), 'over');
});

test('Fifo shifts in order through many pushes and compactions', () => {
  const fifo = new Fifo<number>();
  let next = 0;
  for (let i = 0; i < 10_000; i++) {
    fifo.push(i);
    if (i % 3 !== 0) assert.equal(fifo.shift(), next++);
  }
  while (fifo.length > 0) assert.equal(fifo.shift(), next++);
  assert.equal(next, 10_000);
  fifo.unshift(7);
  assert.deepEqual(fifo.drain(), [7]);
});
