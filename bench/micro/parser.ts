/**
 * Request-parser micro-benchmark (not run in CI): requests parsed per second from one buffer of 16
 * pipelined requests (the wrk plaintext request shape), wirekit's RequestParser against llhttp
 * (Node's own parser, through the internal binding `node:http` uses), interleaved rounds, one run.
 *
 *   npm run build && node dist/bench/micro/parser.js [rounds=7] [ms-per-round=400]
 */
import { RequestParser } from '../../src/http/codec/request-parser.js';

const REQUEST =
  'GET /users/12345?sort=asc HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: wrk/4.2\r\nAccept: */*\r\n' +
  'Accept-Encoding: gzip, br\r\nConnection: keep-alive\r\n\r\n';
const PIPELINED = Buffer.from(REQUEST.repeat(16), 'latin1');
const PER_BATCH = 16;

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
type LlhttpCtor = { new (): LlhttpParser; REQUEST: number; kOnHeadersComplete: number; kOnMessageComplete: number };

function llhttpRunner(): () => number {
  const binding = (process as unknown as { binding(name: string): { HTTPParser: LlhttpCtor } }).binding('http_parser');
  const { HTTPParser } = binding;
  const parser = new HTTPParser();
  let count = 0;
  parser[HTTPParser.kOnHeadersComplete] = () => 0;
  parser[HTTPParser.kOnMessageComplete] = () => {
    count++;
  };
  parser.initialize(HTTPParser.REQUEST, {});
  return () => {
    count = 0;
    parser.execute(PIPELINED);
    return count;
  };
}

function wirekitRunner(): () => number {
  const parser = new RequestParser();
  return () => {
    let count = 0;
    for (const event of parser.push(PIPELINED)) if (event.type === 'end') count++;
    return count;
  };
}

function measure(run: () => number, ms: number): number {
  let requests = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < stop) {
    for (let i = 0; i < 200; i++) requests += run();
    now = process.hrtime.bigint();
  }
  return requests / (Number(now - start) / 1e9);
}

const rounds = Number(process.argv[2] ?? 7);
const ms = Number(process.argv[3] ?? 400);
const runners: Record<string, () => number> = { wirekit: wirekitRunner(), llhttp: llhttpRunner() };
for (const [name, run] of Object.entries(runners)) {
  if (run() !== PER_BATCH) throw new Error(`${name} parsed the wrong number of requests`);
}
const results: Record<string, number[]> = { wirekit: [], llhttp: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ['wirekit', 'llhttp'] : ['llhttp', 'wirekit'];
  for (const name of order) results[name]?.push(measure(runners[name] as () => number, ms));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const w = median(results.wirekit ?? []);
const l = median(results.llhttp ?? []);
console.log('| parser | requests/s (median of %d) | ratio to llhttp |', rounds);
console.log('|---|---:|---:|');
console.log(`| wirekit RequestParser | ${Math.round(w).toLocaleString('en')} | ${(w / l).toFixed(2)} |`);
console.log(`| llhttp (node:http's parser) | ${Math.round(l).toLocaleString('en')} | 1.00 |`);
