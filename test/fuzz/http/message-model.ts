/**
 * A lenient, lossless model of an HTTP/1.x request stream for the structure-aware mutators: every
 * byte of the input lands in some field (separators and line ends included), so serializing an
 * unmutated model gives the input back byte for byte. Strings are latin1 (one char per byte).
 * Whatever does not parse as a message is kept whole in `tail`.
 */

export interface FieldLine {
  name: string;
  /** Everything between the name and the value: the colon and the whitespace around it. */
  sep: string;
  value: string;
  eol: string;
}

export interface Chunk {
  /** The chunk-size as written (hex digits, or whatever a mutator put there). */
  size: string;
  /** Chunk extensions after the size, as written (`;a=b`). */
  ext: string;
  eol: string;
  data: string;
  /** What follows the data (CRLF in a well-formed chunk). */
  dataEnd: string;
}

export type Body =
  | { kind: 'raw'; data: string }
  | {
      kind: 'chunked';
      chunks: Chunk[];
      /** The last-chunk line (`0` and its extensions). */
      last: { size: string; ext: string; eol: string };
      trailers: FieldLine[];
      /** The empty line that ends the trailer section. */
      end: string;
    };

export type ChunkedBody = Extract<Body, { kind: 'chunked' }>;

export interface RequestModel {
  /** Bytes before the request line (empty lines, stray whitespace). */
  lead: string;
  method: string;
  sp1: string;
  target: string;
  sp2: string;
  version: string;
  lineEol: string;
  fields: FieldLine[];
  /** The empty line that ends the head. */
  headEnd: string;
  body: Body;
}

export interface StreamModel {
  messages: RequestModel[];
  /** Bytes after the last whole message (an unfinished one, junk). */
  tail: string;
}

/** The line from `pos` to the next LF: its text (CR before the LF excluded) and its line end; undefined without a LF. */
function readLine(text: string, pos: number): { line: string; eol: string; next: number } | undefined {
  const lf = text.indexOf('\n', pos);
  if (lf === -1) return undefined;
  const cr = lf > pos && text[lf - 1] === '\r';
  return { line: text.slice(pos, cr ? lf - 1 : lf), eol: cr ? '\r\n' : '\n', next: lf + 1 };
}

export function parseFieldLine(line: string, eol: string): FieldLine {
  const colon = line.indexOf(':');
  if (colon === -1) return { name: line, sep: '', value: '', eol };
  // Whitespace before the colon belongs to the separator, so a mutator can add or remove it.
  let nameEnd = colon;
  while (nameEnd > 0 && (line[nameEnd - 1] === ' ' || line[nameEnd - 1] === '\t')) nameEnd--;
  let valueStart = colon + 1;
  while (valueStart < line.length && (line[valueStart] === ' ' || line[valueStart] === '\t')) valueStart++;
  return { name: line.slice(0, nameEnd), sep: line.slice(nameEnd, valueStart), value: line.slice(valueStart), eol };
}

function splitRequestLine(line: string): Pick<RequestModel, 'method' | 'sp1' | 'target' | 'sp2' | 'version'> {
  const m = /^([^ \t]*)([ \t]+)([^ \t]*)([ \t]+)(.*)$/s.exec(line);
  if (m === null) return { method: line, sp1: '', target: '', sp2: '', version: '' };
  return { method: m[1] ?? '', sp1: m[2] ?? '', target: m[3] ?? '', sp2: m[4] ?? '', version: m[5] ?? '' };
}

/** The value of the first field named `name` (case-insensitive). */
export function fieldValue(fields: readonly FieldLine[], name: string): string | undefined {
  return fields.find((f) => f.name.toLowerCase() === name)?.value;
}

/** Parses `text` into messages; what cannot be parsed goes to `tail`. */
export function parseStream(text: string): StreamModel {
  const messages: RequestModel[] = [];
  let pos = 0;
  while (pos < text.length) {
    let start = pos;
    while (text[start] === '\r' || text[start] === '\n') start++;
    const first = readLine(text, start);
    if (first === undefined) break;
    const fields: FieldLine[] = [];
    let at = first.next;
    let headEnd: string | undefined;
    for (;;) {
      const next = readLine(text, at);
      if (next === undefined) break;
      at = next.next;
      if (next.line === '') {
        headEnd = next.eol;
        break;
      }
      fields.push(parseFieldLine(next.line, next.eol));
    }
    if (headEnd === undefined) break;
    const parsed = readBody(text, at, fields);
    messages.push({
      lead: text.slice(pos, start),
      ...splitRequestLine(first.line),
      lineEol: first.eol,
      fields,
      headEnd,
      body: parsed.body,
    });
    pos = parsed.next;
  }
  return { messages, tail: text.slice(pos) };
}

function readBody(text: string, pos: number, fields: readonly FieldLine[]): { body: Body; next: number } {
  if (/chunked/i.test(fieldValue(fields, 'transfer-encoding') ?? '')) {
    const chunked = readChunked(text, pos);
    if (chunked !== undefined) return chunked;
    return { body: { kind: 'raw', data: text.slice(pos) }, next: text.length };
  }
  const length = Number.parseInt(fieldValue(fields, 'content-length') ?? '', 10);
  const n = Number.isFinite(length) && length > 0 ? Math.min(length, text.length - pos) : 0;
  return { body: { kind: 'raw', data: text.slice(pos, pos + n) }, next: pos + n };
}

function readChunked(text: string, pos: number): { body: Body; next: number } | undefined {
  const chunks: Chunk[] = [];
  for (;;) {
    const sizeLine = readLine(text, pos);
    if (sizeLine === undefined) return undefined;
    const digits = /^[0-9a-fA-F]*/.exec(sizeLine.line)?.[0] ?? '';
    const size = Number.parseInt(digits, 16);
    if (digits === '' || !Number.isSafeInteger(size)) return undefined;
    const ext = sizeLine.line.slice(digits.length);
    if (size === 0) {
      const trailers: FieldLine[] = [];
      let at = sizeLine.next;
      for (;;) {
        const line = readLine(text, at);
        if (line === undefined) return undefined;
        at = line.next;
        if (line.line === '') {
          const body: Body = {
            kind: 'chunked',
            chunks,
            last: { size: digits, ext, eol: sizeLine.eol },
            trailers,
            end: line.eol,
          };
          return { body, next: at };
        }
        trailers.push(parseFieldLine(line.line, line.eol));
      }
    }
    const dataStart = sizeLine.next;
    if (dataStart + size > text.length) return undefined;
    const data = text.slice(dataStart, dataStart + size);
    const dataEnd = text.startsWith('\r\n', dataStart + size) ? '\r\n' : '';
    chunks.push({ size: digits, ext, eol: sizeLine.eol, data, dataEnd });
    pos = dataStart + size + dataEnd.length;
  }
}

function serializeFields(fields: readonly FieldLine[]): string {
  let out = '';
  for (const f of fields) out += f.name + f.sep + f.value + f.eol;
  return out;
}

export function serializeBody(body: Body): string {
  if (body.kind === 'raw') return body.data;
  let out = '';
  for (const c of body.chunks) out += c.size + c.ext + c.eol + c.data + c.dataEnd;
  out += body.last.size + body.last.ext + body.last.eol + serializeFields(body.trailers) + body.end;
  return out;
}

export function serializeRequest(m: RequestModel): string {
  return (
    m.lead +
    m.method +
    m.sp1 +
    m.target +
    m.sp2 +
    m.version +
    m.lineEol +
    serializeFields(m.fields) +
    m.headEnd +
    serializeBody(m.body)
  );
}

export function serializeStream(s: StreamModel): string {
  return s.messages.map(serializeRequest).join('') + s.tail;
}

/** The decoded body bytes a model carries (what a correct parser would hand over). */
export function bodyData(body: Body): string {
  return body.kind === 'raw' ? body.data : body.chunks.map((c) => c.data).join('');
}

/** A chunked body holding `data` in one chunk (none when empty). */
export function chunkedBody(data: string): ChunkedBody {
  const chunks: Chunk[] =
    data === '' ? [] : [{ size: data.length.toString(16), ext: '', eol: '\r\n', data, dataEnd: '\r\n' }];
  return { kind: 'chunked', chunks, last: { size: '0', ext: '', eol: '\r\n' }, trailers: [], end: '\r\n' };
}

export function cloneStream(s: StreamModel): StreamModel {
  return structuredClone(s);
}
