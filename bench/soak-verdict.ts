/**
 * The soak's verdict (`bench/soak.sh`): reads the server's samples (one JSON line a second) and the
 * times the traffic started and ended, and checks that RSS, heap used (after a full GC), active
 * handles and open descriptors do not grow under steady traffic: after
 * the warm-up (the first 20% of the traffic), the median of the last window may exceed the median of
 * the first window by at most 5% (small counts, handles and descriptors, get 2 of slack on top:
 * one connection more is not a leak); and once the traffic has stopped and idle connections have
 * timed out, handles and descriptors are back to where they were before it started (+2).
 *
 *   node dist/bench/soak-verdict.js samples.jsonl <traffic start ms> <traffic end ms>
 */
import { readFileSync } from 'node:fs';

const [file, startArg, endArg] = process.argv.slice(2);
const start = Number(startArg);
const end = Number(endArg);
/** Idle connections close after the server's keep-alive timeout (5 s) and the linger after it. */
const SETTLE_MS = 8_000;
const GROWTH = 0.05;
const COUNT_SLACK = 2;

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  handles: number;
  fds: number;
}

const samples = readFileSync(file as string, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Sample);
const before = samples.filter((s) => s.t < start);
const during = samples.filter((s) => s.t >= start && s.t <= end);
const after = samples.filter((s) => s.t > end + SETTLE_MS);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Judged metrics; `external` (Buffers, mostly upload bodies in flight) is shown but swings with the traffic itself. */
const METRICS = [
  ['rss', 'MiB', true],
  ['heapUsed', 'MiB', true],
  ['external', 'MiB', false],
  ['handles', '', true],
  ['fds', '', true],
] as const;
const show = (metric: string, value: number): string =>
  metric === 'handles' || metric === 'fds' ? String(value) : (value / 2 ** 20).toFixed(1);

const steady = during.slice(Math.floor(during.length * 0.2));
const window = Math.max(5, Math.floor(steady.length * 0.1));
const first = steady.slice(0, window);
const last = steady.slice(-window);
const failures: string[] = [];
if (during.length < 10) failures.push(`only ${during.length} samples under traffic`);

process.stdout.write(
  `samples: ${before.length} before the traffic, ${during.length} under it (warm-up ${during.length - steady.length}, windows of ${window}), ${after.length} after it settled\n`,
);
process.stdout.write(
  '| metric | before | first window | last window | growth | after |\n|---|---:|---:|---:|---:|---:|\n',
);
for (const [metric, unit, judged] of METRICS) {
  const a = median(first.map((s) => s[metric]));
  const b = median(last.map((s) => s[metric]));
  const growth = (b - a) / a;
  const counts = unit === '';
  const limit = counts ? a * GROWTH + COUNT_SLACK : a * GROWTH;
  if (judged && b - a > limit)
    failures.push(`${metric} grew ${(growth * 100).toFixed(1)}% (${show(metric, a)} → ${show(metric, b)})`);
  const idle = median(before.map((s) => s[metric]));
  const settled = median(after.map((s) => s[metric]));
  if (counts && after.length > 0 && settled > idle + COUNT_SLACK) {
    failures.push(`${metric} did not come back after the traffic (${idle} before, ${settled} after)`);
  }
  process.stdout.write(
    `| ${metric}${unit ? ` (${unit})` : ''}${judged ? '' : ' (not judged)'} | ${show(metric, idle)} | ${show(metric, a)} | ${show(metric, b)} | ${(growth * 100).toFixed(1)}% | ${after.length > 0 ? show(metric, settled) : '-'} |\n`,
  );
}
if (failures.length > 0) {
  process.stdout.write(`verdict: FAIL\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(
    'verdict: PASS (no metric grew more than 5% after the warm-up; handles and descriptors came back)\n',
  );
}
