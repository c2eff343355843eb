/**
 * The import-layering rules (docs/architecture.md, Layers) as data, and a checker over source files.
 * Arrows point down only: a file may import its own layer or a layer listed for it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Layer of a source file, by the longest matching path prefix (relative to `src/`). */
const LAYER_PREFIXES: ReadonlyArray<[prefix: string, layer: string]> = [
  ['errors.ts', 'errors'],
  ['util/', 'util'],
  ['net/codec/', 'net-codec'],
  ['net/', 'net'],
  ['http/codec/', 'http-codec'],
  ['http/message/', 'http-message'],
  ['http/server/', 'http-server'],
  ['http/h2/', 'http-h2'],
  ['http/', 'http'],
  ['ws/codec/', 'ws-codec'],
  ['ws/', 'ws'],
  ['client/', 'client'],
  ['web/listen.ts', 'web-listen'],
  ['web/', 'web'],
  ['cluster/', 'cluster'],
  ['redis/', 'redis'],
  ['tools/', 'tools'],
  ['cli/', 'cli'],
  ['index.ts', 'index'],
];

const BASE = ['errors', 'util'];
const HTTP_CORE = [...BASE, 'http-codec', 'http-message'];

/** Which layers each layer may import (besides itself). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  // The options checker (util/options.ts) throws WirekitError; errors.ts imports nothing, so no cycle.
  util: ['errors'],
  'net-codec': BASE,
  net: [...BASE, 'net-codec'],
  'http-codec': BASE,
  'ws-codec': BASE,
  // Types only: ConnInfo names the net Connection an upgrade hands over.
  'http-message': [...BASE, 'http-codec', 'net'],
  // HTTP/2 behind the same Handler: the server dispatches a connection to it.
  'http-h2': [...HTTP_CORE, 'net'],
  'http-server': [...HTTP_CORE, 'net', 'http-h2'],
  // wirekit/http's serve() is the cluster-aware one (workers), which runs the engine's.
  http: [...HTTP_CORE, 'net', 'http-server', 'http-h2', 'cluster'],
  // The HTTP/2 client maps fields as the HTTP/2 server does (http/h2/fields.ts); the WebSocket client
  // runs the same engine as the server.
  client: [...HTTP_CORE, 'net', 'http-h2', 'ws', 'ws-codec'],
  web: [...HTTP_CORE, 'web-listen', 'ws', 'ws-codec'],
  'web-listen': [...HTTP_CORE, 'web', 'http-server', 'net', 'cluster', 'ws', 'ws-codec'],
  ws: [...HTTP_CORE, 'ws-codec', 'net'],
  // The control API of the fault proxy is an HTTP service: it is built on the web framework's App.
  // The HTTP/2 load driver maps request fields as the HTTP/2 client does (http/h2/fields.ts).
  tools: [...HTTP_CORE, 'net', 'client', 'http-h2', 'web', 'ws', 'ws-codec'],
  // Process supervision around a Handler server: below web-listen, so app.listen({ workers }) uses it.
  cluster: [...HTTP_CORE, 'net', 'http-server', 'ws', 'ws-codec'],
  // wirekit/redis: adapters for the rate limiter's store and the topic bus.
  redis: [...HTTP_CORE, 'net', 'cluster', 'web', 'ws', 'ws-codec'],
  cli: Object.keys(Object.fromEntries(LAYER_PREFIXES.map(([, l]) => [l, 1]))),
  index: Object.keys(Object.fromEntries(LAYER_PREFIXES.map(([, l]) => [l, 1]))),
};

/**
 * The runtime dependencies allowed outside the networking core, each in the one file that wraps it
 * (justified in docs/dependencies.md): the MIME database of the static middleware, and the HDR
 * latency histogram of the load generator, and the X.509 library of the CLI's development
 * certificates (pkijs with its own ASN.1 layer, asn1js).
 */
const RUNTIME_DEPENDENCIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['mime', ['web/middleware/static/mime.ts']],
  // An optional peer dependency: only wirekit/redis loads it (docs/dependencies.md).
  ['ioredis', ['redis/client.ts']],
  ['hdr-histogram-js', ['tools/loadgen/histogram.ts']],
  ['pkijs', ['cli/cert/x509.ts']],
  ['asn1js', ['cli/cert/x509.ts']],
]);

/** Pure layers may import no Node module that does I/O, timing or streaming (docs/architecture.md, http/codec). */
const PURE_LAYERS = new Set(['http-codec', 'net-codec', 'ws-codec', 'errors', 'util']);
const PURE_ALLOWED_NODE = new Set(['node:buffer']);

export function layerOf(srcRelative: string): string | undefined {
  const path = srcRelative.split(sep).join('/');
  let best: [string, string] | undefined;
  for (const entry of LAYER_PREFIXES) {
    const [prefix] = entry;
    const hit = prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix;
    if (hit && (best === undefined || prefix.length > best[0].length)) best = entry;
  }
  return best?.[1];
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

/** Removes comments, so an `import` in a TSDoc example is not taken for a real one. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
}

export function importsOf(source: string): string[] {
  return [...stripComments(source).matchAll(IMPORT_RE)].map((m) => m[1] as string);
}

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

/** Checks the given files (`srcRelative` path → source text) and lists every upward or impure import. */
export function checkLayering(files: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, source] of files) {
    const from = layerOf(file);
    if (from === undefined) {
      out.push({ file, specifier: '', reason: 'file is in no known layer (add it to LAYER_PREFIXES)' });
      continue;
    }
    for (const specifier of importsOf(source)) {
      const reason = judge(file, from, specifier);
      if (reason !== undefined) out.push({ file, specifier, reason });
    }
  }
  return out;
}

function judge(file: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) {
    if (PURE_LAYERS.has(from) && specifier.startsWith('node:') && !PURE_ALLOWED_NODE.has(specifier)) {
      return `pure layer ${from} imports ${specifier}`;
    }
    if (!specifier.startsWith('node:') && !RUNTIME_DEPENDENCIES.get(specifier)?.includes(file.split(sep).join('/'))) {
      return `runtime dependency ${specifier} (the core has none)`;
    }
    return undefined;
  }
  const target = relative('/src', resolve('/src', dirname(file), specifier)).replace(/\.js$/, '.ts');
  if (target.startsWith('..')) return 'import leaves src/';
  const to = layerOf(target);
  if (to === undefined) return `target ${target} is in no known layer`;
  if (to === from || (ALLOWED[from] ?? []).includes(to)) return undefined;
  return `${from} may not import ${to} (${target})`;
}

/** Reads every .ts file under `dir` into a map keyed by the path relative to `dir`. */
export function readSources(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) files.set(relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return files;
}
