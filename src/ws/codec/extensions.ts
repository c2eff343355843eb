/**
 * The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1): a comma-separated list of extensions, each
 * a token followed by `;`-separated parameters, each a token with an optional value that is a token
 * or a quoted string whose unescaped content is a token.
 */

/**
 * One extension of a `Sec-WebSocket-Extensions` field: its name and parameters in order (names
 * lower-cased, a parameter without a value has `null`).
 *
 * @example
 * ```ts
 * parseExtensions('permessage-deflate; client_max_window_bits');
 * // [{ name: 'permessage-deflate', params: [['client_max_window_bits', null]] }]
 * ```
 */
export interface ExtensionOffer {
  name: string;
  params: [name: string, value: string | null][];
}

const TCHAR_PUNCT = "!#$%&'*+-.^_`|~";

function isTokenChar(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || TCHAR_PUNCT.includes(c);
}

/**
 * True for a non-empty RFC 9110 token.
 *
 * @example
 * ```ts
 * isToken('chat.v2'); // true
 * isToken('a b'); // false
 * ```
 */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (const c of text) if (!isTokenChar(c)) return false;
  return true;
}

/** A cursor over a field value. */
class Scanner {
  at = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string {
    return this.text[this.at] ?? '';
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  token(): string {
    const start = this.at;
    while (!this.done && isTokenChar(this.peek())) this.at++;
    return this.text.slice(start, this.at);
  }

  /** A quoted string (the cursor on its opening quote), unescaped; undefined if unterminated. */
  quoted(): string | undefined {
    let out = '';
    this.at++;
    while (!this.done) {
      const c = this.text[this.at++] as string;
      if (c === '"') return out;
      if (c === '\\') {
        if (this.done) return undefined;
        out += this.text[this.at++];
      } else {
        out += c;
      }
    }
    return undefined;
  }
}

/**
 * Parses a `Sec-WebSocket-Extensions` value (several field lines joined with commas). Returns
 * undefined when the value does not follow the grammar: a server then declines every extension
 * rather than guess what was meant.
 *
 * @example
 * ```ts
 * parseExtensions('permessage-deflate; server_max_window_bits=10, permessage-deflate');
 * // two offers, in the client's order of preference
 * ```
 */
export function parseExtensions(value: string): ExtensionOffer[] | undefined {
  const s = new Scanner(value);
  const out: ExtensionOffer[] = [];
  for (;;) {
    // Empty list elements are allowed (RFC 9110 §5.6.1).
    while (s.peek() === ',' || s.peek() === ' ' || s.peek() === '\t') s.at++;
    if (s.done) return out;
    const name = s.token();
    if (name === '') return undefined;
    const params: ExtensionOffer['params'] = [];
    s.skipSpace();
    while (s.peek() === ';') {
      s.at++;
      s.skipSpace();
      const param = s.token();
      if (param === '') return undefined;
      s.skipSpace();
      let paramValue: string | null = null;
      if (s.peek() === '=') {
        s.at++;
        s.skipSpace();
        const raw = s.peek() === '"' ? s.quoted() : s.token();
        if (raw === undefined || !isToken(raw)) return undefined;
        paramValue = raw;
        s.skipSpace();
      }
      params.push([param.toLowerCase(), paramValue]);
    }
    if (!s.done && s.peek() !== ',') return undefined;
    out.push({ name: name.toLowerCase(), params });
  }
}

/**
 * Serializes extensions back to a field value.
 *
 * @example
 * ```ts
 * formatExtensions([{ name: 'permessage-deflate', params: [['server_no_context_takeover', null]] }]);
 * // 'permessage-deflate; server_no_context_takeover'
 * ```
 */
export function formatExtensions(extensions: readonly ExtensionOffer[]): string {
  return extensions
    .map((e) => [e.name, ...e.params.map(([name, value]) => (value === null ? name : `${name}=${value}`))].join('; '))
    .join(', ');
}
