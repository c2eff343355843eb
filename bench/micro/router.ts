/**
 * Router micro-benchmark: lookups per second on a 1,000-route REST-shaped table, our RadixRouter
 * against find-my-way (Fastify's router) in the same process, in interleaved rounds, as ratios
 * (docs/benchmarks.md). Not run in CI.
 *
 *   npx tsc -p . && node dist/bench/micro/router.js [--rounds 21] [--ms 50]
 *
 * Each round runs every (router, workload) pair for `--ms` milliseconds of CPU time (so other load
 * on the machine skews both routers less), alternating which router goes first. The table reports
 * the median lookups per CPU second and the median of the per-round ratios. Both routers do the same
 * work per lookup: find the route and build its params object.
 */

import FindMyWay from 'find-my-way';
import { RadixRouter } from '../../src/web/router/index.js';

const RESOURCES = [
  'users', 'orders', 'products', 'carts', 'invoices', 'payments', 'customers', 'accounts', 'teams', 'projects',
  'tasks', 'comments', 'posts', 'tags', 'categories', 'reviews', 'shipments', 'warehouses', 'suppliers', 'coupons',
  'sessions', 'tokens', 'webhooks', 'events', 'reports', 'dashboards', 'alerts', 'metrics', 'logs', 'jobs',
  'queues', 'files', 'folders', 'images', 'videos', 'playlists', 'albums', 'artists', 'tracks', 'channels',
  'messages', 'threads', 'groups', 'roles', 'permissions', 'settings', 'plans', 'subscriptions', 'refunds', 'notes',
]; // biome-ignore format: a word list reads better packed

/** 50 resources x 2 API versions x 10 routes = 1,000 routes: 30% static, 60% param, 10% wildcard. */
function routeTable(): [method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string][] {
  const routes: [method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string][] = [];
  for (const version of ['v1', 'v2']) {
    for (const name of RESOURCES) {
      const base = `/api/${version}/${name}`;
      routes.push(
        ['GET', base],
        ['POST', base],
        ['GET', `${base}/search`],
        ['GET', `${base}/:id`],
        ['PUT', `${base}/:id`],
        ['PATCH', `${base}/:id`],
        ['DELETE', `${base}/:id`],
        ['GET', `${base}/:id/comments`],
        ['GET', `${base}/:id/comments/:commentId`],
        ['GET', `${base}/:id/files/*`],
      );
    }
  }
  return routes;
}

/** Request paths per workload, spread over the table. */
function workloads(): Record<string, [method: 'GET' | 'POST', path: string][]> {
  const pick = (i: number): string => `/api/${i % 2 === 0 ? 'v1' : 'v2'}/${RESOURCES[(i * 7) % RESOURCES.length]}`;
  const range = (f: (i: number) => [method: 'GET' | 'POST', path: string]): [method: 'GET' | 'POST', path: string][] =>
    Array.from({ length: 64 }, (_, i) => f(i));
  const all = {
    static: range((i) => (i % 2 === 0 ? [i % 4 === 0 ? 'POST' : 'GET', pick(i)] : ['GET', `${pick(i)}/search`])),
    'one param': range((i) => ['GET', `${pick(i)}/${1000 + i}`]),
    'two params': range((i) => ['GET', `${pick(i)}/${1000 + i}/comments/c${i}`]),
    wildcard: range((i) => ['GET', `${pick(i)}/${i}/files/docs/2024/report-${i}.pdf`]),
    'not found': range((i) => ['GET', `${pick(i)}/${i}/nothing/here`]),
  };
  return { ...all, mixed: Object.values(all).flat() };
}

type Lookup = (method: 'GET' | 'POST', path: string) => number;

function ours(): Lookup {
  const router = new RadixRouter<number>();
  for (const [i, [method, path]] of routeTable().entries()) router.add(method, path, i);
  return (method, path) => {
    const r = router.find(method, path);
    return r.status === 'found' ? r.value + (r.params.id?.length ?? 0) : 0;
  };
}

function findMyWay(): Lookup {
  const router = FindMyWay();
  for (const [i, [method, path]] of routeTable().entries()) router.on(method, path, () => i);
  return (method, path) => {
    const r = router.find(method, path);
    return r === null ? 0 : (r.params.id?.length ?? 0) + 1;
  };
}

/** CPU time of this process in ms: load from other processes on the machine does not count. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Lookups per CPU second of `lookup` over `requests`, for about `ms` ms of CPU time. */
function measure(lookup: Lookup, requests: [method: 'GET' | 'POST', path: string][], ms: number): number {
  // Flat arrays keep the harness cheap next to a lookup of ~100 ns.
  const methods = requests.map(([method]) => method);
  const paths = requests.map(([, path]) => path);
  const n = paths.length;
  let sink = 0;
  let ops = 0;
  const start = cpuMs();
  let elapsed = 0;
  while (elapsed < ms) {
    // Read the clock every 16 passes: process.cpuUsage() costs about a microsecond.
    for (let pass = 0; pass < 16; pass++) {
      for (let i = 0; i < n; i++) sink += lookup(methods[i] as 'GET' | 'POST', paths[i] as string);
    }
    ops += 16 * n;
    elapsed = cpuMs() - start;
  }
  if (sink === -1) console.log('unreachable');
  return (ops * 1000) / elapsed;
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? Number.NaN : Number(process.argv[i + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function main(): void {
  const rounds = Math.max(5, arg('rounds', 21));
  const ms = arg('ms', 50);
  const routers: [string, Lookup][] = [
    ['wirekit', ours()],
    ['find-my-way', findMyWay()],
  ];
  const loads = Object.entries(workloads());
  const results = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither router always runs on a warmer or cooler CPU.
    const order = round % 2 === 0 ? routers : routers.slice().reverse();
    for (const [load, paths] of loads) {
      for (const [name, lookup] of order) {
        const key = `${load}\u0000${name}`;
        results.set(key, [...(results.get(key) ?? []), measure(lookup, paths, ms)]);
      }
    }
  }
  const fmt = (n: number): string => `${(n / 1e6).toFixed(2)} M`;
  console.log(`router micro-benchmark: 1,000 routes, ${rounds} interleaved rounds of ${ms} ms CPU, median lookups/s\n`);
  console.log('| workload | wirekit | find-my-way | wirekit / find-my-way |');
  console.log('|---|---:|---:|---:|');
  for (const [load] of loads) {
    const ours = results.get(`${load}\u0000wirekit`) ?? [];
    const theirs = results.get(`${load}\u0000find-my-way`) ?? [];
    const ratio = median(ours.map((value, round) => value / (theirs[round] ?? Number.NaN)));
    console.log(`| ${load} | ${fmt(median(ours))} | ${fmt(median(theirs))} | ${ratio.toFixed(2)}x |`);
  }
}

main();
