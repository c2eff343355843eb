/**
 * The connection's state unions (conn-state.ts) and the answer of an exchange: every transition
 * of each axis, and that an event which does not apply leaves the state as it is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type KeepAlive,
  type KeepAliveEvent,
  nextKeepAlive,
  nextReading,
  nextWriting,
  type Reading,
  type ReadingEvent,
  type Writing,
  type WritingEvent,
} from '../../../src/http/server/conn-state.js';
import { type Answer, type AnswerEvent, nextAnswer } from '../../../src/http/server/exchange.js';

const READING: Reading[] = ['head', 'body', 'discard', 'upgraded', 'closed'];
const WRITING: Writing[] = ['idle', 'streaming', 'upgraded', 'ended'];
const ANSWERS: Answer[] = ['pending', 'handler', 'server', 'writing', 'written', 'upgraded'];

/** Every (state, event) pair to its next state, as a table; pairs not listed keep their state. */
function table<S extends string, E extends string>(
  states: readonly S[],
  events: readonly E[],
  next: (state: S, event: E) => S,
): Map<string, S> {
  const out = new Map<string, S>();
  for (const state of states) for (const event of events) out.set(`${state} ${event}`, next(state, event));
  return out;
}

function expectTable<S extends string>(actual: Map<string, S>, changes: Record<string, S>): void {
  for (const [key, next] of actual) {
    const state = key.split(' ')[0] as S;
    assert.equal(next, changes[key] ?? state, key);
  }
}

test('Reading: body starts only from head, ends back to head, is discarded after an early answer; stop ends all but an upgrade', () => {
  const events: ReadingEvent[] = ['body-start', 'body-end', 'answered-early', 'upgrade', 'stop'];
  expectTable(table(READING, events, nextReading), {
    'head body-start': 'body',
    'body body-end': 'head',
    'discard body-end': 'head',
    'body answered-early': 'discard',
    'head upgrade': 'upgraded',
    'body upgrade': 'upgraded',
    'discard upgrade': 'upgraded',
    'head stop': 'closed',
    'body stop': 'closed',
    'discard stop': 'closed',
  });
});

test('Writing: a stream runs from idle and back, an upgrade hands the socket over, end and close are final', () => {
  const events: WritingEvent[] = ['stream', 'streamed', 'upgrade', 'end', 'closed'];
  expectTable(table(WRITING, events, nextWriting), {
    'idle stream': 'streaming',
    'streaming streamed': 'idle',
    'idle upgrade': 'upgraded',
    'idle end': 'ended',
    'streaming end': 'ended',
    'idle closed': 'ended',
    'streaming closed': 'ended',
    'upgraded closed': 'ended',
  });
});

test('Answer: the handler answers only while pending, the server may replace an answer until it is written', () => {
  const events: AnswerEvent[] = ['handler-answered', 'server-answered', 'write', 'unwritable', 'written', 'upgrade'];
  expectTable(table(ANSWERS, events, nextAnswer), {
    'pending handler-answered': 'handler',
    'pending server-answered': 'server',
    'handler server-answered': 'server',
    'handler write': 'writing',
    'server write': 'writing',
    'writing unwritable': 'pending',
    'writing written': 'written',
    'pending upgrade': 'upgraded',
  });
});

test('KeepAlive: close() and a half-close drain an open connection, the grace ends an idle one, final is final', () => {
  const states: KeepAlive[] = ['open', 'draining', 'closing', 'last'];
  const events: KeepAliveEvent[] = ['shutdown', 'client-ended', 'grace-over', 'admit', 'final'];
  expectTable(table(states, events, nextKeepAlive), {
    'open shutdown': 'draining',
    'open client-ended': 'draining',
    'draining grace-over': 'closing',
    'closing admit': 'last',
    'open final': 'last',
    'draining final': 'last',
    'closing final': 'last',
  });
});
