/**
 * trustProxy and the forwarding fields: the right-most untrusted address wins, untrusted peers'
 * fields are ignored, hop counts, CIDR lists (IPv4, IPv6, mapped, presets), functions, RFC 7239
 * `Forwarded` (quoted IPv6 with ports, obfuscated nodes, malformed elements), proto/host alignment,
 * and the hop bound.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { type ForwardedClient, forwardedClient, MAX_FORWARDED_HOPS } from '../../../src/http/message/forwarded.js';
import { Headers } from '../../../src/http/message/headers.js';
import { compileTrustProxy, type TrustProxy, type TrustProxySpec } from '../../../src/http/message/trust-proxy.js';
import { inIpRange, ipBytes, parseIpRange } from '../../../src/util/ip-address.js';

function resolve(trust: TrustProxy | undefined, peer: string, fields: Record<string, string>): ForwardedClient {
  return forwardedClient(new Headers({ host: 'app.internal', ...fields }), peer, false, compileTrustProxy(trust));
}

describe('trustProxy: who is trusted', () => {
  test('off by default: spoofed fields are ignored, the peer is the client', () => {
    const fields = { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' };
    for (const trust of [undefined, false] as const) {
      assert.deepEqual(resolve(trust, '203.0.113.9', fields), {
        ip: '203.0.113.9',
        protocol: 'http',
        host: 'app.internal',
        forwarded: false,
      });
    }
  });

  test('an untrusted peer cannot set its address, scheme or host', () => {
    const fields = { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.test' };
    const client = resolve('loopback', '198.51.100.7', fields);
    assert.deepEqual(client, { ip: '198.51.100.7', protocol: 'http', host: 'app.internal', forwarded: false });
  });

  test('the right-most untrusted address wins; what the client prepends is ignored', () => {
    // The client wrote "6.6.6.6" itself; the trusted proxy appended the address it saw.
    const fields = { 'x-forwarded-for': '6.6.6.6, 203.0.113.50' };
    assert.equal(resolve('loopback', '127.0.0.1', fields).ip, '203.0.113.50');
    // Two proxies of ours: 10.0.0.2 saw the client, 127.0.0.1 saw 10.0.0.2.
    const two = { 'x-forwarded-for': '6.6.6.6, 203.0.113.50, 10.0.0.2' };
    assert.equal(resolve('loopback, 10.0.0.0/8', '127.0.0.1', two).ip, '203.0.113.50');
    assert.equal(resolve('loopback', '127.0.0.1', two).ip, '10.0.0.2', '10.0.0.2 is not trusted: it is the client');
  });

  test('true trusts every hop: the left-most address', () => {
    assert.equal(resolve(true, '127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.50' }).ip, '6.6.6.6');
  });

  test('a hop count trusts that many hops nearest the server', () => {
    const fields = { 'x-forwarded-for': '192.0.2.1, 192.0.2.2, 192.0.2.3' };
    assert.equal(resolve(0, '198.51.100.1', fields).ip, '198.51.100.1');
    assert.equal(resolve(1, '198.51.100.1', fields).ip, '192.0.2.3');
    assert.equal(resolve(2, '198.51.100.1', fields).ip, '192.0.2.2');
    assert.equal(resolve(3, '198.51.100.1', fields).ip, '192.0.2.1');
    assert.equal(resolve(9, '198.51.100.1', fields).ip, '192.0.2.1');
  });

  test('CIDR lists: IPv4, IPv6, IPv4-mapped peers of a dual-stack socket, presets', () => {
    const fields = { 'x-forwarded-for': '203.0.113.5' };
    assert.equal(resolve('10.1.0.0/16', '10.1.200.3', fields).ip, '203.0.113.5');
    assert.equal(resolve('10.1.0.0/16', '10.2.0.1', fields).ip, '10.2.0.1');
    assert.equal(resolve(['2001:db8::/32'], '2001:db8:ffff::1', fields).ip, '203.0.113.5');
    assert.equal(resolve(['2001:db8::/32'], '2001:db9::1', fields).ip, '2001:db9::1');
    assert.equal(resolve('loopback', '::ffff:127.0.0.1', fields).ip, '203.0.113.5');
    assert.equal(resolve('loopback', '::1', fields).ip, '203.0.113.5');
    assert.equal(resolve('private', '172.31.255.255', fields).ip, '203.0.113.5');
    assert.equal(resolve('private', '172.32.0.0', fields).ip, '172.32.0.0');
    assert.equal(resolve('private', 'fd12::1', fields).ip, '203.0.113.5');
    assert.equal(resolve('linklocal', 'fe80::1%eth0', fields).ip, '203.0.113.5');
    assert.equal(resolve('192.0.2.7', '192.0.2.7', fields).ip, '203.0.113.5', 'a single address');
  });

  test('a function decides per address and hop', () => {
    const seen: [string, number][] = [];
    const trust = (address: string, hop: number) => {
      seen.push([address, hop]);
      return address.startsWith('10.');
    };
    assert.equal(resolve(trust, '10.0.0.9', { 'x-forwarded-for': '203.0.113.1, 10.0.0.8' }).ip, '203.0.113.1');
    assert.deepEqual(seen, [
      ['10.0.0.9', 0],
      ['10.0.0.8', 1],
      ['203.0.113.1', 2],
    ]);
  });

  test('bad options are refused at once', () => {
    for (const bad of ['10.0.0.0/33', 'nonsense', '::/129', -1, 1.5, { proxies: 1, header: 'via' }] as unknown[]) {
      assert.throws(
        () => compileTrustProxy(bad as TrustProxy),
        (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
        String(bad),
      );
    }
  });
});

describe('X-Forwarded-Proto and -Host', () => {
  test('from a trusted proxy: the scheme and host the client used', () => {
    const client = resolve(1, '127.0.0.1', {
      'x-forwarded-for': '203.0.113.5',
      'x-forwarded-proto': 'HTTPS',
      'x-forwarded-host': 'shop.example:8443',
    });
    assert.deepEqual(client, { ip: '203.0.113.5', protocol: 'https', host: 'shop.example:8443', forwarded: true });
  });

  test('lists in step with the addresses: the entry of the chosen hop', () => {
    const client = resolve('loopback, 10.0.0.0/8', '127.0.0.1', {
      'x-forwarded-for': '203.0.113.5, 10.0.0.2',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'shop.example, internal.lb',
    });
    assert.deepEqual([client.ip, client.protocol, client.host], ['203.0.113.5', 'https', 'shop.example']);
  });

  test('a single value set by the nearest proxy applies; junk is ignored', () => {
    const one = resolve(2, '127.0.0.1', { 'x-forwarded-for': '203.0.113.5, 10.0.0.2', 'x-forwarded-proto': 'https' });
    assert.equal(one.protocol, 'https');
    const junk = resolve(1, '127.0.0.1', {
      'x-forwarded-for': '203.0.113.5',
      'x-forwarded-proto': 'gopher',
      'x-forwarded-host': 'a b/c',
    });
    assert.deepEqual([junk.protocol, junk.host], ['http', 'app.internal']);
  });

  test('ports and brackets are stripped; non-addresses give no ip', () => {
    assert.equal(resolve(1, '127.0.0.1', { 'x-forwarded-for': '203.0.113.5:6000' }).ip, '203.0.113.5');
    assert.equal(resolve(1, '127.0.0.1', { 'x-forwarded-for': '[2001:db8::5]:6000' }).ip, '2001:db8::5');
    assert.equal(resolve(1, '127.0.0.1', { 'x-forwarded-for': '2001:db8::5' }).ip, '2001:db8::5');
    assert.equal(resolve(1, '127.0.0.1', { 'x-forwarded-for': 'unknown' }).ip, undefined);
    // A garbage entry stops the walk even when everything is trusted: it is not an address to trust.
    assert.equal(resolve(true, '127.0.0.1', { 'x-forwarded-for': '1.1.1.1, garbage, 10.0.0.1' }).ip, undefined);
  });

  test('a trusted peer that forwarded no address is the client itself', () => {
    assert.deepEqual(resolve(1, '127.0.0.1', { 'x-forwarded-proto': 'https' }), {
      ip: '127.0.0.1',
      protocol: 'http',
      host: 'app.internal',
      forwarded: false,
    });
  });

  test(`only the right-most ${MAX_FORWARDED_HOPS} entries are walked`, () => {
    const chain = Array.from({ length: 100 }, (_, i) => `10.0.${i >> 8}.${i & 0xff}`);
    const client = resolve(true, '127.0.0.1', { 'x-forwarded-for': chain.join(', ') });
    assert.equal(client.ip, chain[100 - MAX_FORWARDED_HOPS]);
  });
});

describe('Forwarded (RFC 7239)', () => {
  const forwarded = (spec: TrustProxySpec) => ({ proxies: spec, header: 'forwarded' as const });

  test('for, proto and host of the chosen element', () => {
    const client = resolve(forwarded('loopback'), '127.0.0.1', {
      forwarded: 'for=6.6.6.6;proto=http, for=192.0.2.60;proto=https;host=shop.example;by=203.0.113.43',
    });
    assert.deepEqual(client, { ip: '192.0.2.60', protocol: 'https', host: 'shop.example', forwarded: true });
  });

  test('quoted IPv6 with a port, case-insensitive names, several field lines', () => {
    const headers = new Headers([
      ['Forwarded', 'for=192.0.2.43'],
      ['Forwarded', 'For="[2001:db8:cafe::17]:4711";PROTO=https'],
    ]);
    const client = forwardedClient(headers, '::1', false, compileTrustProxy(forwarded('loopback')));
    assert.deepEqual([client.ip, client.protocol], ['2001:db8:cafe::17', 'https']);
  });

  test('obfuscated and unknown nodes are no address', () => {
    assert.equal(resolve(forwarded(1), '127.0.0.1', { forwarded: 'for=_hidden' }).ip, undefined);
    assert.equal(resolve(forwarded(1), '127.0.0.1', { forwarded: 'for=unknown' }).ip, undefined);
  });

  test("a malformed element stops the walk; one the client sent cannot swallow the proxy's", () => {
    const open = resolve(forwarded('loopback'), '127.0.0.1', { forwarded: 'for="6.6.6.6, for=203.0.113.9' });
    assert.equal(open.ip, '203.0.113.9');
    for (const bad of ['for=1.1.1.1;for=2.2.2.2', 'for', 'for=a b', 'f@r=1.1.1.1', 'for="1.1.1.1"x"']) {
      assert.equal(resolve(forwarded(true), '127.0.0.1', { forwarded: bad }).ip, undefined, bad);
    }
  });

  test('X-Forwarded-For is ignored when Forwarded is the header, and the other way round', () => {
    const fields = { forwarded: 'for=192.0.2.1', 'x-forwarded-for': '192.0.2.2' };
    assert.equal(resolve(forwarded(1), '127.0.0.1', fields).ip, '192.0.2.1');
    assert.equal(resolve(1, '127.0.0.1', fields).ip, '192.0.2.2');
  });
});

describe('IP ranges', () => {
  test('prefix boundaries', () => {
    const cases: [string, string, boolean][] = [
      ['10.0.0.0/8', '10.255.255.255', true],
      ['10.0.0.0/8', '11.0.0.0', false],
      ['172.16.0.0/12', '172.31.0.1', true],
      ['172.16.0.0/12', '172.15.255.255', false],
      ['0.0.0.0/0', '8.8.8.8', true],
      ['0.0.0.0/0', '2001:db8::1', false],
      ['::/0', '2001:db8::1', true],
      ['fe80::/10', 'febf::1', true],
      ['fe80::/10', 'fec0::1', false],
      ['2001:db8::1', '2001:db8::1', true],
      ['2001:db8::1', '2001:db8::2', false],
    ];
    for (const [range, address, inside] of cases) {
      const r = parseIpRange(range);
      const a = ipBytes(address);
      assert.ok(r !== undefined && a !== undefined, `${range} ${address}`);
      assert.equal(inIpRange(a, r), inside, `${address} in ${range}`);
    }
  });
});
