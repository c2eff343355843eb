/**
 * The PROXY protocol codec, byte by byte: v1 (TCP4, TCP6, UNKNOWN, limits, malformed lines), v2
 * (INET, INET6, UNIX, UNSPEC, LOCAL, TLVs parsed and bounded, truncation, limits), every header
 * split at every offset and fed one byte at a time, and the serializer's output read back.
 * Literal bytes come from proxy-protocol.txt's examples and what HAProxy writes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  PP2_TYPE,
  type ProxyHeader,
  ProxyHeaderParser,
  type ProxyParseResult,
  serializeProxyHeader,
} from '../../../src/net/codec/proxy-protocol.js';

const SIG = '0d0a0d0a000d0a515549540a';
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const ascii = (text: string) => Buffer.from(text, 'latin1');

/** Parses `bytes` whole, then split at every offset, then a byte at a time: all must agree. */
function parseEverySplit(bytes: Uint8Array): ProxyParseResult {
  const whole = new ProxyHeaderParser().push(bytes);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const parser = new ProxyHeaderParser();
    let result = parser.push(bytes.subarray(0, cut));
    if (result.kind === 'more') result = parser.push(bytes.subarray(cut));
    else if (result.kind === 'header') result = { ...result, rest: Buffer.concat([result.rest, bytes.subarray(cut)]) };
    assert.deepEqual(normalize(result), normalize(whole), `split at ${cut}`);
  }
  const parser = new ProxyHeaderParser();
  let result: ProxyParseResult = { kind: 'more' };
  for (let i = 0; i < bytes.length && result.kind === 'more'; i++) result = parser.push(bytes.subarray(i, i + 1));
  if (result.kind === 'header') {
    // A byte at a time, the header ends exactly at its last byte: no rest yet.
    assert.equal(result.rest.length, 0);
  } else {
    assert.deepEqual(normalize(result), normalize(whole), 'one byte at a time');
  }
  return whole;
}

/** Buffers as arrays, so deepEqual compares contents. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
}

function header(result: ProxyParseResult): ProxyHeader {
  assert.equal(result.kind, 'header', JSON.stringify(normalize(result)));
  return (result as { header: ProxyHeader }).header;
}

describe('PROXY v1', () => {
  test('TCP4 with the bytes that follow kept', () => {
    const bytes = ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n');
    const result = parseEverySplit(bytes);
    assert.deepEqual(header(result), {
      version: 1,
      command: 'proxy',
      transport: 'stream',
      tlvs: [],
      family: 'IPv4',
      source: { address: '192.168.0.1', port: 56324, family: 'IPv4' },
      destination: { address: '192.168.0.11', port: 443, family: 'IPv4' },
    });
    assert.equal(Buffer.from((result as { rest: Uint8Array }).rest).toString(), 'GET / HTTP/1.1\r\n');
  });

  test('TCP6 and UNKNOWN', () => {
    const v6 = header(parseEverySplit(ascii('PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 65535 0\r\n')));
    assert.deepEqual(v6.source, { address: '2001:db8::1', port: 65535, family: 'IPv6' });
    assert.deepEqual(v6.destination, { address: '::ffff:10.0.0.1', port: 0, family: 'IPv6' });
    const unknown = header(parseEverySplit(ascii('PROXY UNKNOWN\r\n')));
    assert.deepEqual([unknown.family, unknown.source], ['unknown', undefined]);
    const withJunk = header(parseEverySplit(ascii('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n')));
    assert.equal(withJunk.family, 'unknown');
  });

  test('the longest legal line (107 bytes) passes; one byte more fails without waiting for CRLF', () => {
    const longest =
      'PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n';
    assert.equal(longest.length, 107);
    header(parseEverySplit(ascii(longest)));
    const tooLong = ascii(`${longest.slice(0, -2)}5\r\n`);
    const result = new ProxyHeaderParser().push(tooLong.subarray(0, 107));
    assert.equal(result.kind, 'error');
  });

  test('malformed lines are errors', () => {
    const bad = [
      'PROXY TCP4 192.168.0.1 192.168.0.11 56324\r\n',
      'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443 extra\r\n',
      'PROXY TCP4 192.168.0.256 192.168.0.11 56324 443\r\n',
      'PROXY TCP4 192.168.000.1 192.168.0.11 56324 443\r\n',
      'PROXY TCP4 2001:db8::1 192.168.0.11 56324 443\r\n',
      'PROXY TCP6 192.168.0.1 2001:db8::2 56324 443\r\n',
      'PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n',
      'PROXY TCP4 192.168.0.1 192.168.0.11 0443 443\r\n',
      'PROXY TCP4  192.168.0.1 192.168.0.11 1 2\r\n',
      'PROXY UDP4 192.168.0.1 192.168.0.11 1 2\r\n',
      'PROXY TCP4 192.168.0.1 192.168.0.11 1 2\rX',
      'PROXY tcp4 192.168.0.1 192.168.0.11 1 2\r\n',
    ];
    for (const line of bad) assert.equal(parseEverySplit(ascii(line)).kind, 'error', JSON.stringify(line));
  });

  test('no header at all is an error as soon as a byte differs', () => {
    assert.equal(new ProxyHeaderParser().push(ascii('GET / HTTP/1.1\r\n')).kind, 'error');
    assert.equal(new ProxyHeaderParser().push(ascii('PROXX')).kind, 'error');
    assert.equal(new ProxyHeaderParser().push(ascii('PROX')).kind, 'more');
  });
});

describe('PROXY v2', () => {
  test('INET over TCP with the rest kept', () => {
    const bytes = hex(`${SIG} 21 11 000c  c0000201 c6336401  dc44 01bb  474554`);
    const result = parseEverySplit(bytes);
    assert.deepEqual(header(result), {
      version: 2,
      command: 'proxy',
      family: 'IPv4',
      transport: 'stream',
      source: { address: '192.0.2.1', port: 56388, family: 'IPv4' },
      destination: { address: '198.51.100.1', port: 443, family: 'IPv4' },
      tlvs: [],
    });
    assert.equal(Buffer.from((result as { rest: Uint8Array }).rest).toString(), 'GET');
  });

  test('INET6 (RFC 5952 text, mapped addresses dotted) over UDP', () => {
    const src = '20010db8000000000000000000000001';
    const dst = '00000000000000000000ffffc0000201';
    const h = header(parseEverySplit(hex(`${SIG} 21 22 0024 ${src} ${dst} 1234 0035`)));
    assert.equal(h.transport, 'dgram');
    assert.deepEqual(h.source, { address: '2001:db8::1', port: 0x1234, family: 'IPv6' });
    assert.deepEqual(h.destination, { address: '::ffff:192.0.2.1', port: 53, family: 'IPv6' });
  });

  test('UNIX paths and UNSPEC', () => {
    const path = (p: string) => Buffer.concat([Buffer.from(p), Buffer.alloc(108 - p.length)]).toString('hex');
    const unix = header(parseEverySplit(hex(`${SIG} 21 31 00d8 ${path('/run/client.sock')} ${path('/run/app.sock')}`)));
    assert.deepEqual(unix.source, { address: '/run/client.sock', port: 0, family: 'unix' });
    assert.deepEqual(unix.destination, { address: '/run/app.sock', port: 0, family: 'unix' });
    const unspec = header(parseEverySplit(hex(`${SIG} 21 00 0000`)));
    assert.deepEqual([unspec.family, unspec.source, unspec.transport], ['unknown', undefined, 'unspec']);
  });

  test('LOCAL (a health check of the proxy itself): addresses are ignored', () => {
    const h = header(parseEverySplit(hex(`${SIG} 20 11 000c c0000201 c6336401 dc44 01bb`)));
    assert.deepEqual([h.command, h.family, h.source, h.destination], ['local', 'unknown', undefined, undefined]);
  });

  test('TLVs after the addresses, in order, bounded by the header length', () => {
    const tlvs = `01 0002 6832  02 000b ${Buffer.from('example.com').toString('hex')}  04 0000  20 0005 0100000000`;
    const h = header(
      parseEverySplit(
        hex(`${SIG} 21 11 ${(12 + 30).toString(16).padStart(4, '0')} c0000201 c6336401 dc44 01bb ${tlvs}`),
      ),
    );
    assert.deepEqual(
      h.tlvs.map((t) => [t.type, Buffer.from(t.value).toString('latin1')]),
      [
        [PP2_TYPE.ALPN, 'h2'],
        [PP2_TYPE.AUTHORITY, 'example.com'],
        [PP2_TYPE.NOOP, ''],
        [PP2_TYPE.SSL, '\x01\0\0\0\0'],
      ],
    );
  });

  test('truncated or overlong TLVs, bad version, command, family or transport, short address block', () => {
    const bad = [
      `${SIG} 21 11 000e c0000201 c6336401 dc44 01bb 01 00`, // TLV head cut short
      `${SIG} 21 11 0010 c0000201 c6336401 dc44 01bb 01 0005 68`, // TLV longer than the header
      `${SIG} 11 11 000c c0000201 c6336401 dc44 01bb`, // version 1 in a v2 header
      `${SIG} 22 11 000c c0000201 c6336401 dc44 01bb`, // command 2
      `${SIG} 21 41 000c c0000201 c6336401 dc44 01bb`, // family 4
      `${SIG} 21 13 000c c0000201 c6336401 dc44 01bb`, // transport 3
      `${SIG} 21 21 000c c0000201 c6336401 dc44 01bb`, // INET6 needs 36 bytes
    ];
    for (const text of bad) assert.equal(parseEverySplit(hex(text)).kind, 'error', text);
  });

  test('a header over maxHeaderBytes fails as soon as its length is read, without waiting for it', () => {
    const parser = new ProxyHeaderParser({ maxHeaderBytes: 64 });
    assert.equal(parser.push(hex(`${SIG} 21 11 0100`)).kind, 'error');
    assert.equal(new ProxyHeaderParser().push(hex(`${SIG} 21 11 ffff`)).kind, 'error', 'default 4 KiB');
    assert.equal(new ProxyHeaderParser().push(hex(`${SIG} 21 11 0ff0`)).kind, 'more', 'just under 4 KiB');
  });

  test('more than 64 TLVs is an error', () => {
    const many = '04 0000 '.repeat(65);
    const length = (12 + 65 * 3).toString(16).padStart(4, '0');
    assert.equal(parseEverySplit(hex(`${SIG} 21 11 ${length} c0000201 c6336401 dc44 01bb ${many}`)).kind, 'error');
  });

  test('versions can be restricted', () => {
    assert.equal(new ProxyHeaderParser({ versions: [2] }).push(ascii('PROXY UNKNOWN\r\n')).kind, 'error');
    assert.equal(new ProxyHeaderParser({ versions: [1] }).push(hex(`${SIG} 21 00 0000`)).kind, 'error');
  });

  test('a parser that finished refuses more input', () => {
    const parser = new ProxyHeaderParser();
    assert.equal(parser.push(ascii('PROXY UNKNOWN\r\n')).kind, 'header');
    assert.equal(parser.push(ascii('x')).kind, 'error');
  });
});

describe('serializeProxyHeader', () => {
  const cases: ProxyHeader[] = [
    {
      version: 1,
      command: 'proxy',
      family: 'IPv4',
      transport: 'stream',
      source: { address: '192.0.2.1', port: 1234, family: 'IPv4' },
      destination: { address: '198.51.100.1', port: 443, family: 'IPv4' },
      tlvs: [],
    },
    {
      version: 2,
      command: 'proxy',
      family: 'IPv6',
      transport: 'stream',
      source: { address: '2001:db8::7', port: 40000, family: 'IPv6' },
      destination: { address: '2001:db8::1', port: 443, family: 'IPv6' },
      tlvs: [{ type: PP2_TYPE.AUTHORITY, value: new Uint8Array(Buffer.from('shop.example')) }],
    },
    {
      version: 2,
      command: 'proxy',
      family: 'unix',
      transport: 'stream',
      source: { address: '/tmp/a', port: 0, family: 'unix' },
      destination: { address: '/tmp/b', port: 0, family: 'unix' },
      tlvs: [],
    },
  ];
  test('what it writes parses back to the same header', () => {
    for (const h of cases) {
      assert.deepEqual(
        normalize(parseEverySplit(serializeProxyHeader(h))),
        normalize({ kind: 'header', header: h, rest: new Uint8Array(0) }),
      );
    }
  });

  test('v2 bytes match the spec layout', () => {
    const bytes = serializeProxyHeader(cases[0] === undefined ? assert.fail() : { ...cases[0], version: 2 });
    assert.equal(Buffer.from(bytes).toString('hex'), `${SIG}2111000cc0000201c633640104d201bb`);
    assert.equal(
      Buffer.from(serializeProxyHeader(cases[0] as ProxyHeader)).toString(),
      'PROXY TCP4 192.0.2.1 198.51.100.1 1234 443\r\n',
    );
  });
});
