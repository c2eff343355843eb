/**
 * Structure-aware mutators of HTTP/1.x request streams (the model of `message-model.ts`): they
 * change one grammar element at a time (method, target, version, separators, field names and
 * values, Content-Length and Transfer-Encoding, chunk sizes, extensions and trailers, line ends,
 * pipelined messages) to values on the edges of RFC 9110/9112 and of what parsers tolerate.
 */
import { type Mutator, oddByte } from '../core/mutators.js';
import type { Prng } from '../core/prng.js';
import {
  bodyData,
  type Chunk,
  chunkedBody,
  type FieldLine,
  parseFieldLine,
  type RequestModel,
  type StreamModel,
  serializeRequest,
} from './message-model.js';
import {
  BODIES,
  CHUNK_DATA_ENDS,
  CHUNK_EXTS,
  CODINGS,
  CONNECTION,
  chunkSizes,
  contentLengths,
  EXPECT,
  FIELD_NAMES,
  FIELD_SEPS,
  FIELD_VALUES,
  LEADS,
  LINE_ENDS,
  METHODS,
  SEPARATORS,
  TAILS,
  TARGETS,
  VERSIONS,
  WHITESPACE,
} from './request-values.js';

type StreamMutator = Mutator<StreamModel>;

/** A message of the stream to change (undefined when there is none). */
function someMessage(rng: Prng, s: StreamModel): RequestModel | undefined {
  return s.messages.length === 0 ? undefined : rng.pick(s.messages);
}

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at);
}

function oddChar(rng: Prng): string {
  return String.fromCharCode(oddByte(rng));
}

function named(fields: FieldLine[], name: string): FieldLine[] {
  return fields.filter((f) => f.name.toLowerCase() === name);
}

function field(name: string, value: string): FieldLine {
  return { name, sep: ': ', value, eol: '\r\n' };
}

/** Sets (or adds) the first field called `name`. */
function setField(m: RequestModel, name: string, value: string): void {
  const existing = named(m.fields, name.toLowerCase())[0];
  if (existing) existing.value = value;
  else m.fields.push(field(name, value));
}

function removeFields(m: RequestModel, name: string): void {
  m.fields = m.fields.filter((f) => f.name.toLowerCase() !== name);
}

/** Applies `fn` to one message; the mutator does not apply when the stream has none. */
export function onMessage(
  name: string,
  weight: number,
  fn: (rng: Prng, m: RequestModel, s: StreamModel) => boolean | undefined,
): StreamMutator {
  return {
    name,
    weight,
    apply: (rng, s) => {
      const m = someMessage(rng, s);
      if (m === undefined) return undefined;
      return fn(rng, m, s) === false ? undefined : s;
    },
  };
}

/** Applies `fn` to one field of one message; the mutator does not apply when that message has none. */
function onField(
  name: string,
  weight: number,
  fn: (rng: Prng, f: FieldLine, m: RequestModel) => undefined,
): StreamMutator {
  return onMessage(name, weight, (rng, m) => (m.fields.length === 0 ? false : fn(rng, rng.pick(m.fields), m)));
}

/** Every place a line ends in a message, as getter/setter pairs. */
function lineEnds(m: RequestModel): { get: () => string; set: (v: string) => void }[] {
  const out: { get: () => string; set: (v: string) => void }[] = [
    { get: () => m.lineEol, set: (v) => (m.lineEol = v) },
    { get: () => m.headEnd, set: (v) => (m.headEnd = v) },
  ];
  for (const f of m.fields) out.push({ get: () => f.eol, set: (v) => (f.eol = v) });
  const body = m.body;
  if (body.kind === 'chunked') {
    out.push({ get: () => body.last.eol, set: (v) => (body.last.eol = v) });
    out.push({ get: () => body.end, set: (v) => (body.end = v) });
    for (const c of body.chunks) out.push({ get: () => c.eol, set: (v) => (c.eol = v) });
    for (const t of body.trailers) out.push({ get: () => t.eol, set: (v) => (t.eol = v) });
  }
  return out;
}

/** Keeps Content-Length in step with a raw body most of the time, so mutations reach deeper. */
function syncLength(rng: Prng, m: RequestModel): void {
  if (m.body.kind !== 'raw' || !rng.chance(0.8)) return;
  const cl = named(m.fields, 'content-length');
  if (cl.length > 0) for (const f of cl) f.value = String(m.body.data.length);
  else if (m.body.data.length > 0) m.fields.push(field('Content-Length', String(m.body.data.length)));
}

function someChunk(rng: Prng, m: RequestModel): Chunk | undefined {
  if (m.body.kind !== 'chunked' || m.body.chunks.length === 0) return undefined;
  return rng.pick(m.body.chunks);
}

/** The request-line mutators. */
const requestLine: StreamMutator[] = [
  onMessage('method:replace', 3, (rng, m) => {
    m.method = rng.pick(METHODS);
  }),
  onMessage('method:odd-byte', 1, (rng, m) => {
    m.method = insertAt(m.method, rng.int(m.method.length + 1), oddChar(rng));
  }),
  onMessage('target:replace', 3, (rng, m) => {
    m.target = rng.pick(TARGETS);
  }),
  onMessage('target:odd-byte', 2, (rng, m) => {
    m.target = insertAt(m.target, rng.int(m.target.length + 1), oddChar(rng));
  }),
  onMessage('target:long', 0.2, (rng, m) => {
    m.target = `/${'a'.repeat(rng.pick([8190, 8192, 9000, 17000]))}`;
  }),
  onMessage('version:replace', 3, (rng, m) => {
    m.version = rng.pick(VERSIONS);
  }),
  onMessage('line:separator', 2, (rng, m) => {
    if (rng.chance(0.5)) m.sp1 = rng.pick(SEPARATORS);
    else m.sp2 = rng.pick(SEPARATORS);
  }),
  onMessage('line:lead', 1, (rng, m) => {
    m.lead = rng.pick(LEADS);
  }),
];

/** The field mutators. */
const fields: StreamMutator[] = [
  onMessage('field:add', 3, (rng, m) => {
    const f = field(rng.pick(FIELD_NAMES), rng.pick(FIELD_VALUES));
    m.fields.splice(rng.int(m.fields.length + 1), 0, f);
  }),
  onMessage('field:remove', 2, (rng, m) => {
    if (m.fields.length === 0) return false;
    m.fields.splice(rng.int(m.fields.length), 1);
  }),
  onField('field:duplicate', 2, (rng, f, m) => {
    const copy = { ...f, value: rng.chance(0.5) ? f.value : rng.pick(FIELD_VALUES) };
    m.fields.splice(rng.int(m.fields.length + 1), 0, copy);
  }),
  onField('field:name-odd-byte', 2, (rng, f) => {
    f.name = insertAt(f.name, rng.int(f.name.length + 1), oddChar(rng));
  }),
  onField('field:name-case', 1, (rng, f) => {
    f.name = rng.chance(0.5) ? f.name.toUpperCase() : f.name.toLowerCase();
  }),
  onField('field:separator', 3, (rng, f) => {
    f.sep = rng.pick(FIELD_SEPS);
  }),
  onField('field:value-odd-byte', 3, (rng, f) => {
    f.value = insertAt(f.value, rng.int(f.value.length + 1), oddChar(rng));
  }),
  onField('field:value-whitespace', 2, (rng, f) => {
    const ws = rng.pick(WHITESPACE);
    f.value = rng.chance(0.5) ? ws + f.value : f.value + ws;
  }),
  onField('field:value-replace', 1, (rng, f) => {
    f.value = rng.pick(FIELD_VALUES);
  }),
  onField('field:obs-fold', 2, (rng, f) => {
    const at = rng.int(f.value.length + 1);
    f.value = `${f.value.slice(0, at)}${rng.pick(['\r\n', '\n'])}${rng.pick([' ', '\t', '  '])}${f.value.slice(at)}`;
  }),
  onMessage('field:raw-line', 1, (rng, m) => {
    // A line that is not `name: value` at all.
    const line = rng.pick(['no colon', ':empty-name', ' leading', 'a', '\x00', ': ', 'GET / HTTP/1.1']);
    m.fields.splice(rng.int(m.fields.length + 1), 0, parseFieldLine(line, '\r\n'));
  }),
  onMessage('field:many', 0.2, (rng, m) => {
    const n = rng.pick([95, 99, 100, 101, 120, 2001]);
    for (let i = 0; i < n; i++) m.fields.push(field(`X-${i}`, 'v'));
  }),
  onMessage('field:long-value', 0.2, (rng, m) => {
    m.fields.push(field('X-Long', 'v'.repeat(rng.pick([8000, 16300, 16400, 17000]))));
  }),
  onMessage('host:change', 2, (rng, m) => {
    const choice = rng.int(4);
    if (choice === 0) removeFields(m, 'host');
    else if (choice === 1) m.fields.push(field('Host', rng.pick(['a', 'b', ''])));
    else {
      const v = rng.pick(['', 'a b', 'u@a', 'a:80', '[::1]', 'a/b', 'é', 'a,b', 'a:', ':80', 'a\x00', 'a_b', 'A.B']);
      setField(m, 'Host', v);
    }
  }),
];

/** Content-Length, Transfer-Encoding and body mutators. */
const framing: StreamMutator[] = [
  onMessage('framing:content-length', 3, (rng, m) => {
    const data = m.body.kind === 'raw' ? m.body.data : bodyData(m.body);
    m.body = { kind: 'raw', data };
    removeFields(m, 'transfer-encoding');
    setField(m, 'Content-Length', rng.pick(contentLengths(data.length)));
  }),
  onMessage('framing:content-length-twice', 1, (rng, m) => {
    const data = bodyData(m.body);
    m.body = { kind: 'raw', data };
    removeFields(m, 'transfer-encoding');
    setField(m, 'Content-Length', String(data.length));
    m.fields.push(field(rng.pick(['Content-Length', 'content-length']), rng.pick(contentLengths(data.length))));
  }),
  onMessage('framing:transfer-encoding', 3, (rng, m) => {
    if (m.body.kind === 'raw') m.body = chunkedBody(m.body.data);
    if (rng.chance(0.8)) removeFields(m, 'content-length');
    setField(m, 'Transfer-Encoding', rng.pick(CODINGS));
  }),
  onMessage('framing:transfer-encoding-split', 1, (rng, m) => {
    if (m.body.kind === 'raw') m.body = chunkedBody(m.body.data);
    removeFields(m, 'transfer-encoding');
    const [first, second] = rng.pick([
      ['gzip', 'chunked'],
      ['chunked', 'chunked'],
      ['chunked', 'gzip'],
      ['chunked', ''],
      ['', 'chunked'],
    ]);
    m.fields.push(field('Transfer-Encoding', first as string), field('Transfer-Encoding', second as string));
  }),
  onMessage('framing:both', 2, (rng, m) => {
    const data = bodyData(m.body);
    if (m.body.kind === 'raw') m.body = chunkedBody(data);
    setField(m, 'Transfer-Encoding', rng.chance(0.7) ? 'chunked' : rng.pick(CODINGS));
    setField(m, 'Content-Length', rng.pick(contentLengths(data.length)));
    if (rng.chance(0.5)) m.fields.reverse();
  }),
  onMessage('body:data', 2, (rng, m) => {
    const data = rng.chance(0.7)
      ? rng.pick(BODIES)
      : String.fromCharCode(...Array.from({ length: rng.range(1, 64) }, () => rng.int(256)));
    if (m.body.kind === 'raw') {
      m.body.data = data;
      syncLength(rng, m);
    } else {
      m.body = { ...chunkedBody(data), trailers: m.body.trailers };
    }
  }),
];

/** Chunked-body mutators: sizes, extensions, data ends, trailers, the last chunk. */
const chunked: StreamMutator[] = [
  onMessage('chunk:size', 3, (rng, m) => {
    const c = someChunk(rng, m);
    if (c === undefined) return false;
    c.size = rng.pick(chunkSizes(c.data.length));
  }),
  onMessage('chunk:extension', 3, (rng, m) => {
    const body = m.body;
    if (body.kind !== 'chunked') return false;
    const c = someChunk(rng, m);
    const ext = rng.pick(CHUNK_EXTS);
    if (c === undefined || rng.chance(0.3)) body.last.ext = ext;
    else c.ext = ext;
  }),
  onMessage('chunk:data-end', 2, (rng, m) => {
    const c = someChunk(rng, m);
    if (c === undefined) return false;
    c.dataEnd = rng.pick(CHUNK_DATA_ENDS);
  }),
  onMessage('chunk:add', 1, (rng, m) => {
    if (m.body.kind !== 'chunked') return false;
    const data = rng.pick(BODIES.filter((b) => b !== '')) ?? 'x';
    m.body.chunks.splice(rng.int(m.body.chunks.length + 1), 0, {
      size: data.length.toString(16),
      ext: '',
      eol: '\r\n',
      data,
      dataEnd: '\r\n',
    });
  }),
  onMessage('chunk:last', 1, (rng, m) => {
    if (m.body.kind !== 'chunked') return false;
    m.body.last.size = rng.pick(['0', '00', '000', '0 ', ' 0', '0x0', '']);
  }),
  onMessage('chunk:trailer', 2, (rng, m) => {
    if (m.body.kind !== 'chunked') return false;
    const name = rng.pick(['X-T', 'Content-Length', 'Transfer-Encoding', 'Host', 'X T', 'X\x00', '']);
    const f = field(name, rng.pick(FIELD_VALUES));
    if (rng.chance(0.3)) f.sep = rng.pick(FIELD_SEPS);
    m.body.trailers.push(f);
  }),
  onMessage('chunk:trailer-fold', 1, (rng, m) => {
    if (m.body.kind !== 'chunked') return false;
    m.body.trailers.push(field('X-T', `a${rng.pick(['\r\n', '\n'])} b`));
  }),
  onMessage('chunk:end', 1, (rng, m) => {
    if (m.body.kind !== 'chunked') return false;
    m.body.end = rng.pick(['', '\n', '\r', '\r\n\r\n', ' \r\n']);
  }),
];

/** Line-end, connection-semantics and stream (pipelining) mutators. */
/** Line ends and Connection: requests and responses alike. */
const semantics: StreamMutator[] = [
  onMessage('eol:change', 4, (rng, m) => {
    rng.pick(lineEnds(m)).set(rng.pick(LINE_ENDS));
  }),
  onMessage('connection:set', 2, (rng, m) => {
    setField(m, 'Connection', rng.pick(CONNECTION));
  }),
];

/** The mutators of any HTTP/1.x message after its start line: fields, framing, chunked bodies, line ends. */
export const messageMutators: readonly StreamMutator[] = [...fields, ...framing, ...chunked, ...semantics];

function streamMutators(seedMessage: (rng: Prng) => RequestModel): StreamMutator[] {
  return [
    onMessage('connection:upgrade', 1, (rng, m) => {
      setField(m, 'Connection', rng.pick(['Upgrade', 'upgrade', 'keep-alive, Upgrade']));
      setField(m, 'Upgrade', rng.pick(['websocket', 'h2c', '', 'foo']));
    }),
    onMessage('expect:set', 1, (rng, m) => {
      setField(m, 'Expect', rng.pick(EXPECT));
    }),
    {
      name: 'stream:append',
      weight: 2,
      apply: (rng, s) => {
        s.messages.push(seedMessage(rng));
        return s;
      },
    },
    onMessage('stream:duplicate', 1, (rng, m, s) => {
      s.messages.splice(rng.int(s.messages.length + 1), 0, structuredClone(m));
    }),
    onMessage('stream:between', 1, (rng, m) => {
      m.lead = rng.pick(LEADS);
    }),
    {
      name: 'stream:truncate',
      weight: 1,
      apply: (rng, s) => {
        const m = s.messages.pop();
        if (m === undefined) return undefined;
        const text = serializeRequest(m);
        s.tail = text.slice(0, rng.int(text.length));
        return s;
      },
    },
    {
      name: 'stream:tail',
      weight: 1,
      apply: (rng, s) => {
        s.tail += rng.pick(TAILS);
        return s;
      },
    },
  ];
}

/** Every request-stream mutator; `seedMessage` supplies messages for pipelining. */
export function requestMutators(seedMessage: (rng: Prng) => RequestModel): StreamMutator[] {
  return [...requestLine, ...messageMutators, ...streamMutators(seedMessage)];
}
