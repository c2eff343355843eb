import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import {
  App,
  type ClusterServer,
  compress,
  cors,
  isPrimary,
  type Logger,
  type Middleware,
  serveStatic,
} from '../../index.js';
import { loadAppModule } from '../app-module.js';
import { describeError } from '../describe-error.js';
import type { CliIo, Command } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { parsePort } from '../parse-units.js';
import { logFormat, reachableUrls, type ServeOutput, serveOutput } from '../serve-output.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit serve [dir | app-module] [options]

Serves a directory (default: the current one) with listings, ranges, conditional requests and
precompressed files, or runs an ES module whose default export is an App (.js, .mjs, or .ts/.mts
when the tsx package is installed next to it or Node strips types).

Options:
  -p, --port <n>        port to listen on (default 8080; 0 picks a free one)
  -H, --host <addr>     address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
      --cors            answer CORS requests and preflights for any origin (scripts may
                        read Content-Range, Content-Length, ETag, Accept-Ranges, Last-Modified)
      --spa             serve index.html for unknown paths that accept HTML (not for asset-like paths)
      --no-listing      answer 404 instead of listing directories
      --compress        gzip/brotli responses the client accepts
      --cache <s>       Cache-Control max-age in seconds (default 0: revalidate every time)
      --dotfiles        serve dotfiles (hidden by default)
      --tls             serve HTTPS; without --cert/--key with the development certificate of
                        \`wirekit cert\` (made on first use; trust its CA once, see wirekit cert --help)
      --cert <file>     HTTPS with this certificate chain (PEM; reloaded when the file changes)
      --key <file>      and its private key
      --log <format>    pretty: a line per request (time method path status bytes duration),
                        coloured; json: one JSON record per line (requests, faults with their
                        stack, announcements); off. Default: pretty on a terminal, json piped
  -w, --workers <n>     run n worker processes (or "auto": one per core) behind the port;
                        SIGHUP reloads them with no dropped request (README: "Scaling out")
  -q, --quiet           --log off
  -h, --help            show this help

Ctrl-C or SIGTERM stops the server gracefully (in-flight requests finish, 5 s at most); a second
Ctrl-C stops it at once.

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 cannot listen or load the module, 2 usage error.

Examples:
  wirekit serve                       # the current directory on http://127.0.0.1:8080
  wirekit serve ./public --port 0 --spa --compress
  wirekit serve dist/app.js --cors
  wirekit serve ./public --tls --port 8443
`;

/** Parsed `serve` flags. */
interface ServeFlags {
  target: string;
  port: number;
  host: string;
  cors: boolean;
  spa: boolean;
  listing: boolean;
  compress: boolean;
  cacheSeconds: number;
  dotfiles: boolean;
  quiet: boolean;
  /** `--log` as given. */
  log: string | undefined;
  /** HTTPS: the certificate and key files, or 'dev' for the development certificate. */
  tls: { certFile: string; keyFile: string } | 'dev' | undefined;
  workers: number | 'auto' | undefined;
}

function parseFlags(args: readonly string[]): ServeFlags {
  const { values, positionals } = parseCommandArgs(args, {
    port: { type: 'string', short: 'p', default: '8080' },
    host: { type: 'string', short: 'H', default: '127.0.0.1' },
    cors: { type: 'boolean', default: false },
    spa: { type: 'boolean', default: false },
    'no-listing': { type: 'boolean', default: false },
    compress: { type: 'boolean', default: false },
    cache: { type: 'string', default: '0' },
    dotfiles: { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
    workers: { type: 'string', short: 'w' },
    log: { type: 'string' },
    tls: { type: 'boolean', default: false },
    cert: { type: 'string' },
    key: { type: 'string' },
  });
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError('--cert and --key go together', { flag: values.cert === undefined ? '--cert' : '--key' });
  }
  if (positionals.length > 1) {
    throw new UsageError(`serve takes one directory or module, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const port = parsePort('--port', values.port);
  const cacheSeconds = Number(values.cache);
  if (!Number.isInteger(cacheSeconds) || cacheSeconds < 0) {
    throw new UsageError(`--cache: not a whole number of seconds: ${JSON.stringify(values.cache)}`, {
      flag: '--cache',
    });
  }
  const workers = values.workers === undefined || values.workers === 'auto' ? values.workers : Number(values.workers);
  if (typeof workers === 'number' && (!Number.isInteger(workers) || workers < 1)) {
    throw new UsageError(
      `--workers: a whole number of processes, at least 1, or auto: ${JSON.stringify(values.workers)}`,
      {
        flag: '--workers',
      },
    );
  }
  return {
    workers,
    target: positionals[0] ?? '.',
    port,
    host: values.host as string,
    cors: values.cors === true,
    spa: values.spa === true,
    listing: values['no-listing'] !== true,
    compress: values.compress === true,
    cacheSeconds,
    dotfiles: values.dotfiles === true,
    quiet: values.quiet === true,
    log: values.log,
    tls:
      values.cert !== undefined && values.key !== undefined
        ? { certFile: values.cert, keyFile: values.key }
        : values.tls === true
          ? 'dev'
          : undefined,
  };
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

/**
 * Response fields a cross-origin page may read with `--cors`: a media player or a resumable
 * download needs the range and validator fields, which browsers hide unless exposed. Content-Length
 * and Last-Modified are safelisted in current browsers; naming them costs nothing and helps older ones.
 */
const CORS_EXPOSED = ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges', 'Last-Modified'];

/** The app to serve, what it serves (for the log), and what to tell when the server closes. */
interface BuiltApp {
  app: App;
  what: string;
  onClose?: () => void;
}

async function buildApp(flags: ServeFlags, cwd: string, logger: Logger | undefined): Promise<BuiltApp> {
  const target = resolve(cwd, flags.target);
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${flags.target}: no such file or directory`);
  const outer = new App(logger === undefined ? {} : { logger });
  if (flags.cors) outer.use(cors({ exposeHeaders: CORS_EXPOSED }));
  if (flags.compress) outer.use(compress());
  if (info.isDirectory()) {
    outer.use(
      serveStatic(target, {
        listing: flags.listing,
        spa: flags.spa,
        maxAgeSeconds: flags.cacheSeconds,
        dotfiles: flags.dotfiles ? 'allow' : 'ignore',
        // Nothing else answers after it: a POST to a file is a 405 with Allow, not "Cannot POST".
        fallthrough: false,
      }),
    );
    return { app: outer, what: target };
  }
  if (!MODULE_EXTENSIONS.has(extname(target)))
    throw new UsageError(`${flags.target}: not a directory or a JS/TS module`);
  const inner = await loadAppModule(target, flags.target);
  const forward: Middleware = (c) => inner.fetch(c.req.raw, c.info);
  outer.all('/*', forward);
  outer.all('/', forward);
  // The module's WebSockets live in its own app's hub: stopping the server sends them 1001 too.
  return { app: outer, what: target, onClose: () => void inner.webSockets.close() };
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  const out = serveOutput(logFormat(flags.log, flags.quiet, io), io);
  let built: BuiltApp;
  try {
    built = await buildApp(flags, io.cwd, out.logger);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The module's own error: its stack shows where (a syntax error's line, a failed import).
    io.stderr.write(
      `wirekit serve: ${flags.target} failed to load:\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
  if (flags.workers !== undefined) return runCluster(built, flags, io, out);
  let server: Awaited<ReturnType<App['listen']>>;
  try {
    server = await built.app.listen({
      port: flags.port,
      host: flags.host,
      ...(await tlsOptions(flags, io, out)),
      ...(built.onClose === undefined ? {} : { onClose: built.onClose }),
    });
  } catch (error) {
    io.stderr.write(`wirekit serve: ${describeError(error)}\n`);
    return 1;
  }
  const stopLog = out.startLog();
  // Listen for Ctrl-C and SIGTERM before saying where we serve: whoever reads that line may stop us at once.
  const stopped = io.stopped();
  const [local, ...network] = reachableUrls(server.url, server.address.address);
  const lines = [`Serving ${built.what} at ${local}/`, ...network.map((url) => `  on the network: ${url}/`)];
  out.say(
    'listening',
    { url: `${local}/`, network: network.map((url) => `${url}/`), root: built.what },
    lines.join('\n'),
  );
  const signal = await stopped;
  out.say('stopping', { signal }, `\n${signal}: stopping (waiting for in-flight requests, 5 s at most)`);
  await server.close({ timeoutMs: 5_000 });
  stopLog();
  return 0;
}

/** The `tls` option of the flags; the development certificate is made (or reused) on the way. */
async function tlsOptions(
  flags: ServeFlags,
  io: CliIo,
  out: ServeOutput,
): Promise<{ tls?: { certFile: string; keyFile: string } }> {
  if (flags.tls === undefined) return {};
  if (flags.tls !== 'dev') return { tls: flags.tls };
  // Loaded here: the X.509 library is needed for the development certificate only.
  const { defaultCertDir, ensureDevCertificate } = await import('../cert/dev-cert.js');
  const dev = await ensureDevCertificate({ dir: defaultCertDir(io.env) });
  out.say(
    'development certificate',
    { certFile: dev.certFile, caFile: dev.caFile },
    `Development certificate ${dev.certFile} (CA ${dev.caFile}; to trust it: wirekit cert --help)`,
  );
  return { tls: { certFile: dev.certFile, keyFile: dev.keyFile } };
}

/**
 * `--workers`: this process is the primary (the workers run this same command again and serve;
 * each logs its requests through the same output, which reaches the terminal by the inherited stdout).
 */
async function runCluster(built: BuiltApp, flags: ServeFlags, io: CliIo, out: ServeOutput): Promise<number> {
  const stopped = isPrimary() ? io.stopped() : undefined;
  let server: ClusterServer;
  try {
    server = await built.app.listen({
      port: flags.port,
      host: flags.host,
      ...(await tlsOptions(flags, io, out)),
      workers: flags.workers ?? 1,
      drainTimeoutMs: 5_000,
      ...(built.onClose === undefined ? {} : { onClose: built.onClose }),
      // The primary's signals are this command's: Ctrl-C and SIGTERM below, SIGHUP a reload.
      handleSignals: false,
      log: (message: string) => out.say('cluster', {}, `wirekit serve: ${message}`),
    });
  } catch (error) {
    io.stderr.write(`wirekit serve: ${describeError(error)}\n`);
    return 1;
  }
  if (server.role === 'worker') {
    out.startLog();
    return new Promise<number>(() => {}); // a worker serves until the primary drains it, and then exits
  }
  const reload = (): void => void server.reload().catch(() => {});
  process.on('SIGHUP', reload);
  out.say(
    'listening',
    { url: `${server.url}/`, root: built.what, workers: server.workers.length, pid: process.pid },
    `Serving ${built.what} at ${server.url}/ with ${server.workers.length} workers (pid ${process.pid})`,
  );
  const signal = await (stopped as Promise<NodeJS.Signals>);
  process.off('SIGHUP', reload);
  out.say('stopping', { signal }, `\n${signal}: draining the workers (in-flight requests finish, 5 s at most)`);
  await server.close();
  return 0;
}

/** `wirekit serve`: a directory or an app module on our server. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a directory (listings, ranges, caching) or an App module',
  help: HELP,
  run,
};
