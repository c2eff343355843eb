/**
 * The command line of `wirekit request`: flags, the optional METHOD, the URL and httpie's request
 * items (`Name:value`, `key==value`, `key=value`, `key:=json`, `key@file`, `@file`).
 */
import { parseCommandArgs } from '../parse-args.js';
import { parseCount, parseDuration } from '../parse-units.js';
import { parseShortUrl } from '../short-url.js';
import { UsageError } from '../usage-error.js';

/**
 * One request item.
 *
 * @example
 * ```ts
 * parseItem('tags:=["a"]'); // { kind: 'field', name: 'tags', value: ['a'] }
 * ```
 */
export type Item =
  | { kind: 'header'; name: string; value: string }
  | { kind: 'query'; name: string; value: string }
  | { kind: 'field'; name: string; value: unknown }
  | { kind: 'file'; name: string; path: string }
  | { kind: 'body'; path: string };

/**
 * The parsed command line.
 *
 * @example
 * ```ts
 * const flags: RequestFlags = parseRequestArgs(['POST', ':8080/echo', 'a=1']);
 * ```
 */
export interface RequestFlags {
  method: string | undefined;
  url: URL;
  items: Item[];
  json: boolean;
  form: boolean;
  /** `--print` letters as given (`HBhb`), or undefined for the default. */
  print: string | undefined;
  verbose: boolean;
  /** Print the redirect hops too. */
  all: boolean;
  timings: boolean;
  download: boolean;
  output: string | undefined;
  /** `--continue`: resume the partial file. */
  resume: boolean;
  timeoutMs: number;
  maxRedirections: number;
  insecure: boolean;
  ca: string | undefined;
  proxy: string | undefined;
  /** `--http2`: offer h2 by ALPN on https: URLs. */
  http2: boolean;
}

const OPTIONS = {
  json: { type: 'boolean', short: 'j', default: false },
  form: { type: 'boolean', short: 'f', default: false },
  print: { type: 'string', short: 'p' },
  verbose: { type: 'boolean', short: 'v', default: false },
  all: { type: 'boolean', default: false },
  timings: { type: 'boolean', default: false },
  download: { type: 'boolean', short: 'd', default: false },
  output: { type: 'string', short: 'o' },
  continue: { type: 'boolean', short: 'c', default: false },
  timeout: { type: 'string' },
  follow: { type: 'boolean', short: 'F', default: false },
  'max-redirects': { type: 'string' },
  insecure: { type: 'boolean', short: 'k', default: false },
  http2: { type: 'boolean', default: false },
  ca: { type: 'string' },
  proxy: { type: 'string' },
} as const;

/** curl's flags, answered with wirekit's way (the first thing a curl user types). */
const CURL_TIPS: Readonly<Record<string, string>> = {
  '-X': 'the method is the first word: wirekit request POST URL',
  '-H': "headers are items: wirekit request URL 'Name:value'",
  '-L': '-F (--follow) follows redirects',
  '-I': 'send HEAD as the method (wirekit request HEAD URL), or print the head only with -p h',
  '-i': 'the response head is printed with -p hb (the default on a terminal)',
  '-O': '-d (--download) saves the body under the name from the URL',
  '-s': 'nothing but what --print selects is printed; errors go to stderr',
  '-C': '-c (--continue) resumes a download',
  '--data': 'data are items: wirekit request URL key=value (JSON), or @file for a body',
};

const COMMON_METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options']);

/** The letters of `--print`, httpie's. */
const PRINT_LETTERS = /^[HBhb]+$/;

const SEPARATORS = [':=', '==', ':', '=', '@'] as const;

/**
 * One item, by its first separator (`:=`, `==`, `:`, `=`, `@`).
 *
 * @example
 * ```ts
 * parseItem('X-Trace:abc'); // { kind: 'header', name: 'X-Trace', value: 'abc' }
 * ```
 */
export function parseItem(text: string): Item {
  if (text.startsWith('@')) return { kind: 'body', path: text.slice(1) };
  for (let i = 1; i < text.length; i++) {
    const sep = SEPARATORS.find((s) => text.startsWith(s, i));
    if (sep === undefined) continue;
    const name = text.slice(0, i);
    const value = text.slice(i + sep.length);
    switch (sep) {
      case ':':
        return { kind: 'header', name, value: value.trim() };
      case '==':
        return { kind: 'query', name, value };
      case '=':
        return { kind: 'field', name, value };
      case '@':
        return { kind: 'file', name, path: value };
      case ':=':
        try {
          return { kind: 'field', name, value: JSON.parse(value) as unknown };
        } catch {
          throw new UsageError(`${name}:= wants JSON, got ${value} (quote strings: ${name}:='"text"')`);
        }
    }
  }
  throw new UsageError(`not an item: ${text} (Name:value, key==value, key=value, key:=json, key@file or @file)`);
}

/**
 * Parses `wirekit request`'s arguments; throws a {@link UsageError} for a mistake.
 *
 * @example
 * ```ts
 * parseRequestArgs([':8080/users/1', '-p', 'h']).print; // 'h'
 * ```
 */
export function parseRequestArgs(args: readonly string[]): RequestFlags {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, CURL_TIPS);
  if (values.json && values.form) throw new UsageError('--json and --form exclude each other');
  if (values.print !== undefined && !PRINT_LETTERS.test(values.print)) {
    throw new UsageError(`--print takes the letters H, B, h, b, not ${JSON.stringify(values.print)}`, {
      flag: '--print',
    });
  }
  const [first, ...rest] = positionals;
  if (first === undefined) throw new UsageError('a URL is required');
  // An upper-case word, or a known method in lower case (`post :8080/x`), before the URL.
  const hasMethod = rest.length > 0 && (/^[A-Z]+$/.test(first) || COMMON_METHODS.has(first));
  const urlText = hasMethod ? (rest.shift() as string) : first;
  const maxRedirects =
    values['max-redirects'] === undefined ? 30 : parseCount('--max-redirects', values['max-redirects'], 0);
  const download = values.download || values.output !== undefined || values.continue;
  return {
    method: hasMethod ? first.toUpperCase() : undefined,
    url: parseShortUrl(urlText),
    items: rest.map(parseItem),
    json: values.json,
    form: values.form,
    print: values.print,
    verbose: values.verbose,
    all: values.all || values.verbose,
    timings: values.timings,
    download,
    output: values.output,
    resume: values.continue,
    timeoutMs: values.timeout === undefined ? 0 : parseDuration('--timeout', values.timeout),
    // A download follows redirects (as httpie's does): the file is what the user asked for.
    maxRedirections: values.follow || download || values['max-redirects'] !== undefined ? maxRedirects : 0,
    insecure: values.insecure,
    http2: values.http2,
    ca: values.ca,
    proxy: values.proxy,
  };
}
