/**
 * `wirekit proxy`: the fault proxy of `wirekit/tools` from the command line: one TCP proxy with
 * faults from flags, a UDP proxy (`--udp`), and/or the Toxiproxy-compatible control API (`--api`).
 */
import { isWirekitError } from '../../index.js';
import {
  type AddFaultOptions,
  type DatagramFaults,
  type Direction,
  type FaultAttributes,
  type FaultProxy,
  faultProxy,
  listenControlApi,
  ProxyRegistry,
  parseHostPort,
  udpFaultProxy,
} from '../../tools/index.js';
import { describeError } from '../describe-error.js';
import type { CliIo, Command } from '../io.js';
import { EXIT } from '../netcat/exit-codes.js';
import { type ParsedArgs, parseCommandArgs } from '../parse-args.js';
import { parseBytes, parseDuration, parsePercent } from '../parse-units.js';
import { UsageError } from '../usage-error.js';
import { packageVersion } from '../version.js';

const HELP = `Usage: wirekit proxy --listen [HOST:]PORT --upstream HOST:PORT [faults] [options]
       wirekit proxy --api [HOST:]PORT [--listen … --upstream … [faults]]
       wirekit proxy --udp --listen [HOST:]PORT --upstream HOST:PORT [datagram faults]

A TCP proxy that injects faults, per direction, into live connections; memory stays bounded
(a side that stops reading pauses the other). Runs until Ctrl-C.

TCP faults (on the --direction given, default downstream: server → client):
      --latency <dur>        delay every chunk (100ms, 1s)
      --jitter <dur>         ± this much around --latency
      --bandwidth <size>     bytes per second (64k = 64 000, 1MiB = 1 048 576)
      --slice <size>         write in pieces of about this size...
      --slice-delay <dur>    ...with this delay between them
      --stall                forward nothing (the proxy stops reading: backpressure)
      --stall-after <size>   forward this much, then stall
      --close-after <size>   forward this much, then close the connection
      --reset-after <size>   forward this much, then reset (RST) both sides
      --reset-timeout <dur>  reset (RST) both sides this long after a connection opens
      --slow-close <dur>     pass the end of the stream (FIN) on this late
      --direction <d>        upstream, downstream or both
UDP faults (--udp; percentages of datagrams, on --direction):
      --loss <p>  --duplicate <p>  --reorder <p>  --delay <dur> (with --jitter)
Durations: 100ms, 1.5s, 2m (a bare number is seconds). Sizes: 1500, 64k, 1MiB.
Options:
      --listen [HOST:]PORT   where to listen (HOST defaults to 127.0.0.1)
      --upstream HOST:PORT   where connections go
      --api [HOST:]PORT      serve Toxiproxy's REST API (its port is 8474): toxiproxy-cli and
                             Toxiproxy client libraries drive wirekit's proxies unchanged; the
                             --listen proxy, if any, is in it under --name
      --name <name>          the --listen proxy's name in the API (default "wirekit")
      --seed <n>             seed of the random draws (jitter, slices, losses), for repeatable runs
  -h, --help                 show this help

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 cannot listen, 2 usage error.

Examples:
  wirekit proxy --listen 8001 --upstream 127.0.0.1:8000 --latency 100ms --jitter 20ms
  wirekit proxy --listen 8001 --upstream 127.0.0.1:8000 --reset-after 1k --direction upstream
  wirekit proxy --api 8474
  wirekit proxy --udp --listen 5353 --upstream 127.0.0.1:53 --loss 10% --reorder 5% --seed 1
`;

const OPTIONS = {
  listen: { type: 'string' },
  upstream: { type: 'string' },
  api: { type: 'string' },
  name: { type: 'string', default: 'wirekit' },
  seed: { type: 'string' },
  udp: { type: 'boolean', default: false },
  direction: { type: 'string', default: 'downstream' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  bandwidth: { type: 'string' },
  slice: { type: 'string' },
  'slice-delay': { type: 'string' },
  stall: { type: 'boolean', default: false },
  'stall-after': { type: 'string' },
  'close-after': { type: 'string' },
  'reset-after': { type: 'string' },
  'reset-timeout': { type: 'string' },
  'slow-close': { type: 'string' },
  loss: { type: 'string' },
  duplicate: { type: 'string' },
  reorder: { type: 'string' },
  delay: { type: 'string' },
} as const;

type Values = ParsedArgs<typeof OPTIONS>['values'];

type FaultSpec = { [T in keyof FaultAttributes]: [T, FaultAttributes[T]] }[keyof FaultAttributes];

function directions(value: string | undefined): Direction[] {
  if (value === 'both') return ['upstream', 'downstream'];
  if (value === 'upstream' || value === 'downstream') return [value];
  throw new UsageError(`--direction: upstream, downstream or both, not ${JSON.stringify(value)}`, {
    flag: '--direction',
  });
}

/** The TCP faults the flags ask for. */
function tcpFaults(v: Values): FaultSpec[] {
  const out: FaultSpec[] = [];
  const ms = (flag: keyof Values) => parseDuration(`--${flag}`, String(v[flag]));
  const bytes = (flag: keyof Values) => parseBytes(`--${flag}`, String(v[flag]));
  if (v.latency !== undefined) {
    out.push(['latency', { ms: ms('latency'), jitterMs: v.jitter === undefined ? 0 : ms('jitter') }]);
  }
  if (v.bandwidth !== undefined) out.push(['bandwidth', { bytesPerSecond: bytes('bandwidth') }]);
  if (v.slice !== undefined) {
    out.push([
      'slicer',
      { averageBytes: bytes('slice'), delayMs: v['slice-delay'] === undefined ? 0 : ms('slice-delay') },
    ]);
  }
  if (v.stall || v['stall-after'] !== undefined) {
    out.push(['stall', { afterBytes: v['stall-after'] === undefined ? 0 : bytes('stall-after') }]);
  }
  if (v['close-after'] !== undefined) out.push(['limitData', { bytes: bytes('close-after') }]);
  if (v['reset-after'] !== undefined) out.push(['reset', { afterBytes: bytes('reset-after') }]);
  if (v['reset-timeout'] !== undefined) out.push(['reset', { afterMs: ms('reset-timeout') }]);
  if (v['slow-close'] !== undefined) out.push(['slowClose', { delayMs: ms('slow-close') }]);
  return out;
}

function datagramFaults(v: Values): DatagramFaults {
  const out: DatagramFaults = {};
  if (v.loss !== undefined) out.loss = parsePercent('--loss', v.loss);
  if (v.duplicate !== undefined) out.duplicate = parsePercent('--duplicate', v.duplicate);
  if (v.reorder !== undefined) out.reorder = parsePercent('--reorder', v.reorder);
  if (v.delay !== undefined) {
    out.delay = 1;
    out.delayMs = parseDuration('--delay', v.delay);
    if (v.jitter !== undefined) out.jitterMs = parseDuration('--jitter', v.jitter);
  }
  return out;
}

function seedOf(v: Values): number | undefined {
  if (v.seed === undefined) return undefined;
  const seed = Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new UsageError(`--seed: not a whole number: ${JSON.stringify(v.seed)}`, { flag: '--seed' });
  }
  return seed;
}

function address(flag: string, text: string): string {
  try {
    parseHostPort(text);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`, { flag: `--${flag}` });
  }
  return text;
}

function parse(args: readonly string[]): Values {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals[0]}: every setting is a flag`);
  if ((values.listen === undefined) !== (values.upstream === undefined)) {
    throw new UsageError('--listen and --upstream go together');
  }
  if (values.listen === undefined && values.api === undefined) {
    throw new UsageError('say --listen and --upstream, or --api');
  }
  if (values.udp && values.api !== undefined) throw new UsageError('--api drives TCP proxies; --udp has none');
  return values;
}

async function startTcp(v: Values, seed: number | undefined, io: CliIo): Promise<FaultProxy> {
  const specs = tcpFaults(v);
  const ways = directions(v.direction);
  const proxy = await faultProxy({
    listen: address('listen', String(v.listen)),
    upstream: address('upstream', String(v.upstream)),
    ...(seed === undefined ? {} : { seed }),
  });
  const described: string[] = [];
  for (const [type, attributes] of specs) {
    for (const direction of ways) {
      const options: AddFaultOptions = { direction, name: `${type}_${direction}_${described.length}` };
      proxy.add(type, attributes as FaultAttributes['latency'], options);
      described.push(`${type} ${JSON.stringify(attributes)} ${direction}`);
    }
  }
  io.stdout.write(`Proxying ${proxy.listen} → ${proxy.upstream}${described.length > 0 ? '' : ' (no faults)'}\n`);
  for (const line of described) io.stdout.write(`  ${line}\n`);
  return proxy;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const v = parse(args);
  const seed = seedOf(v);
  if (v.udp) datagramFaults(v);
  else tcpFaults(v);
  directions(v.direction);
  const closers: (() => Promise<void>)[] = [];
  try {
    if (v.udp) {
      const faults = datagramFaults(v);
      const ways = directions(v.direction);
      const proxy = await udpFaultProxy({
        listen: String(v.listen),
        upstream: String(v.upstream),
        ...(seed === undefined ? {} : { seed }),
        ...(ways.includes('upstream') ? { upstreamFaults: faults } : {}),
        ...(ways.includes('downstream') ? { downstreamFaults: faults } : {}),
      });
      closers.push(() => proxy.close());
      const where = `${proxy.address.address}:${proxy.address.port}`;
      io.stdout.write(`Proxying UDP ${where} → ${proxy.upstream} ${JSON.stringify(faults)} ${v.direction}\n`);
    } else {
      const registry = new ProxyRegistry(seed === undefined ? {} : { seed });
      closers.push(() => registry.close());
      if (v.listen !== undefined) registry.adopt(v.name ?? 'wirekit', await startTcp(v, seed, io));
      if (v.api !== undefined) {
        const where = parseHostPort(address('api', v.api));
        const api = await listenControlApi({ ...where, registry, version: `2.12.0+wirekit.${packageVersion()}` });
        closers.unshift(() => api.server.close({ timeoutMs: 1_000 }));
        io.stdout.write(`Toxiproxy-compatible API on ${api.url}\n`);
      }
    }
  } catch (error) {
    for (const close of closers) await close();
    if (error instanceof UsageError) throw error;
    if (isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT')) throw new UsageError(error.message, { cause: error });
    io.stderr.write(`wirekit proxy: ${describeError(error)}\n`);
    return EXIT.unreachable;
  }
  const signal = await io.stopped();
  io.stdout.write(`\n${signal}: stopping\n`);
  for (const close of closers) await close();
  return EXIT.ok;
}

/**
 * `wirekit proxy`.
 *
 * @example
 * ```ts
 * await proxyCommand.run(['--listen', '8001', '--upstream', '127.0.0.1:8000', '--latency', '100ms'], processIo());
 * ```
 */
export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'a fault-injecting TCP/UDP proxy, with a Toxiproxy-compatible API',
  help: HELP,
  run,
};
