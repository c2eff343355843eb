/**
 * Randomized cross-check: the radix router must give exactly the answers of the linear reference
 * router (same results, params, Allow lists and add() errors) over generated route tables, paths
 * and options. Deterministic by default; set ROUTER_SEED to explore other tables.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import {
  LinearRouter,
  RadixRouter,
  type RouteResult,
  type Router,
  type RouterOptions,
} from '../../../src/web/router/index.js';

/** mulberry32: a small seeded PRNG, so a failure is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const STATIC = ['a', 'b', 'ab', 'abc', 'A', 'é', 'x.y', 'a%20b', 'file.txt', ''];
const PARAM = [':p', ':n{[0-9]+}', ':l{[a-z]+}', ':f-:t', ':m.:e', 'file.:x', 'v:v', 'a:q'];
const PATH = ['a', 'b', 'ab', 'abc', 'A', 'AB', 'é', '%C3%A9', '%c3%89', '1', '12', 'x-y', 'a-b-c', 'x.y', 'file.txt'];
const ODD_PATH = ['a%2Fb', '%2525', '%25', '%zz', '', 'a b', 'a%20b', 'va', 'v1', 'aq', 'a.b.c', 'x'.repeat(4)];
const METHODS = ['GET', 'POST', 'HEAD', 'ALL', 'PUT'];

/** A random pattern; param names are numbered so they stay unique within it. */
function randomPattern(random: Random): string {
  const count = 1 + Math.floor(random() * 4);
  const segments: string[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const roll = random();
    if (last && roll < 0.1) segments.push('*');
    else if (last && roll < 0.18) segments.push(`:o${i}?`);
    else if (roll < 0.55) segments.push(pick(random, STATIC));
    else segments.push(pick(random, PARAM).replace(/:([a-z])/g, `:$1${i}`));
  }
  return `/${segments.join('/')}${random() < 0.1 ? '/' : ''}`;
}

function randomPath(random: Random): string {
  const count = 1 + Math.floor(random() * 4);
  const segments: string[] = [];
  for (let i = 0; i < count; i++) segments.push(random() < 0.8 ? pick(random, PATH) : pick(random, ODD_PATH));
  return `/${segments.join('/')}${random() < 0.15 ? '/' : ''}`;
}

function randomOptions(random: Random): RouterOptions {
  return {
    ignoreTrailingSlash: random() < 0.4,
    caseSensitive: random() < 0.6,
    maxParamLength: pick(random, [500, 500, 2, 3]),
  };
}

/** A comparable form of a result: params as a plain object. */
function plain(result: RouteResult<string>): unknown {
  return result.status === 'found' ? { ...result, params: { ...result.params } } : result;
}

/** What add() did: 'ok' or the error code. */
function tryAdd(router: Router<string>, method: string, pattern: string): string {
  try {
    router.add(method, pattern, `${method} ${pattern}`);
    return 'ok';
  } catch (err) {
    return isWirekitError(err) ? err.code : `unexpected ${String(err)}`;
  }
}

function checkTable(seed: number): { hits: number; lookups: number } {
  const random = prng(seed);
  const options = randomOptions(random);
  const radix = new RadixRouter<string>(options);
  const linear = new LinearRouter<string>(options);
  const routes = 1 + Math.floor(random() * 25);
  for (let i = 0; i < routes; i++) {
    const method = pick(random, METHODS);
    const pattern = randomPattern(random);
    const label = `seed ${seed} ${JSON.stringify(options)} add ${method} ${pattern}`;
    assert.equal(tryAdd(radix, method, pattern), tryAdd(linear, method, pattern), label);
  }
  let hits = 0;
  for (let i = 0; i < 80; i++) {
    const method = pick(random, [...METHODS.filter((m) => m !== 'ALL'), 'DELETE']);
    const path = randomPath(random);
    const expected = plain(linear.find(method, path));
    assert.deepEqual(
      plain(radix.find(method, path)),
      expected,
      `seed ${seed} ${JSON.stringify(options)} ${method} ${path}`,
    );
    if ((expected as { status: string }).status === 'found') hits++;
  }
  return { hits, lookups: 80 };
}

test('RadixRouter answers exactly like LinearRouter on random tables', () => {
  const base = Number(process.env.ROUTER_SEED ?? 1);
  let hits = 0;
  let lookups = 0;
  for (let seed = base; seed < base + 400; seed++) {
    const counts = checkTable(seed);
    hits += counts.hits;
    lookups += counts.lookups;
  }
  // The generator must actually exercise matches, not only misses.
  assert.ok(hits > lookups / 10, `only ${hits} hits in ${lookups} lookups`);
});
