/**
 * Autobahn category 13 (compression parameters) on the pure side, and the opening handshake:
 * `Sec-WebSocket-Extensions` parsing, the server's choice among offers (RFC 7692 §5, §7.1), the
 * client's check of the answer, and the request checks of RFC 6455 §4.2.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Headers } from '../../../src/http/message/headers.js';
import { acceptDeflateResponse, deflateOffer, negotiateDeflate } from '../../../src/ws/codec/deflate-params.js';
import { formatExtensions, parseExtensions } from '../../../src/ws/codec/extensions.js';
import { checkUpgradeRequest, checkUpgradeResponse } from '../../../src/ws/codec/handshake.js';

describe('Sec-WebSocket-Extensions grammar', () => {
  test('lists, parameters, spaces, quoted values and empty elements', () => {
    assert.deepEqual(
      parseExtensions('permessage-deflate ; client_max_window_bits ; server_max_window_bits="10" ,, x-foo'),
      [
        {
          name: 'permessage-deflate',
          params: [
            ['client_max_window_bits', null],
            ['server_max_window_bits', '10'],
          ],
        },
        { name: 'x-foo', params: [] },
      ],
    );
    assert.equal(
      formatExtensions(parseExtensions('permessage-deflate;server_no_context_takeover') ?? []),
      'permessage-deflate; server_no_context_takeover',
    );
  });

  test('malformed values are refused whole', () => {
    for (const bad of [
      'permessage-deflate;',
      '; x',
      'a b',
      'a; b=',
      'a; b="c d"',
      'a; b="unterminated',
      'a; =1',
      'é',
    ]) {
      assert.equal(parseExtensions(bad), undefined, bad);
    }
  });
});

const offers = (value: string) => parseExtensions(value) ?? assert.fail(`bad header ${value}`);

describe('13 compression parameters: the server side', () => {
  test('a bare offer is accepted as is; the policy may add no-context-takeover and window limits', () => {
    assert.deepEqual(negotiateDeflate(offers('permessage-deflate'), {}), {
      params: {
        serverNoContextTakeover: false,
        clientNoContextTakeover: false,
        serverMaxWindowBits: 15,
        clientMaxWindowBits: 15,
      },
      response: 'permessage-deflate',
    });
    assert.equal(
      negotiateDeflate(offers('permessage-deflate'), {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
      })?.response,
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10',
    );
  });

  test('each offered parameter is honoured', () => {
    const cases: [string, string, Partial<Record<string, number | boolean>>][] = [
      [
        'permessage-deflate; server_no_context_takeover',
        'permessage-deflate; server_no_context_takeover',
        { serverNoContextTakeover: true },
      ],
      [
        'permessage-deflate; client_no_context_takeover',
        'permessage-deflate; client_no_context_takeover',
        { clientNoContextTakeover: true },
      ],
      [
        'permessage-deflate; server_max_window_bits=9',
        'permessage-deflate; server_max_window_bits=9',
        { serverMaxWindowBits: 9 },
      ],
      ['permessage-deflate; client_max_window_bits', 'permessage-deflate', { clientMaxWindowBits: 15 }],
      [
        'permessage-deflate; client_max_window_bits=8',
        'permessage-deflate; client_max_window_bits=8',
        { clientMaxWindowBits: 8 },
      ],
    ];
    for (const [offer, response, params] of cases) {
      const accepted = negotiateDeflate(offers(offer), {});
      assert.equal(accepted?.response, response, offer);
      for (const [key, value] of Object.entries(params))
        assert.equal(accepted?.params[key as 'serverMaxWindowBits'], value, offer);
    }
  });

  test('the policy narrows an offered client window (only when the client offered one)', () => {
    assert.equal(
      negotiateDeflate(offers('permessage-deflate; client_max_window_bits'), { clientMaxWindowBits: 10 })?.response,
      'permessage-deflate; client_max_window_bits=10',
    );
    assert.equal(
      negotiateDeflate(offers('permessage-deflate'), { clientMaxWindowBits: 10 })?.response,
      'permessage-deflate',
    );
  });

  test('invalid offers are skipped for the next valid one, and nothing valid means no compression', () => {
    const invalid = [
      'permessage-deflate; server_max_window_bits',
      'permessage-deflate; server_max_window_bits=16',
      'permessage-deflate; server_max_window_bits=7',
      'permessage-deflate; server_max_window_bits=010',
      'permessage-deflate; client_max_window_bits=16',
      'permessage-deflate; server_no_context_takeover=1',
      'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
      'permessage-deflate; unknown_param',
      'x-webkit-deflate-frame',
    ];
    for (const offer of invalid) assert.equal(negotiateDeflate(offers(offer), {}), undefined, offer);
    assert.equal(
      negotiateDeflate(offers(`${invalid[0]}, permessage-deflate; client_no_context_takeover`), {})?.response,
      'permessage-deflate; client_no_context_takeover',
    );
  });

  test('an offer limiting our compressor to 8 bits is declined (zlib cannot honour it)', () => {
    assert.equal(negotiateDeflate(offers('permessage-deflate; server_max_window_bits=8'), {}), undefined);
    assert.equal(
      negotiateDeflate(offers('permessage-deflate; server_max_window_bits=8, permessage-deflate'), {})?.response,
      'permessage-deflate',
    );
  });
});

describe('13 compression parameters: the client side', () => {
  test('the offer names only what was asked', () => {
    assert.equal(deflateOffer(), 'permessage-deflate');
    assert.equal(
      deflateOffer({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 12,
      }),
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });

  test('answers that honour the offer are accepted', () => {
    assert.deepEqual(acceptDeflateResponse(offers('permessage-deflate; server_no_context_takeover')), {
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
    const wishes = { serverMaxWindowBits: 12, clientMaxWindowBits: 12 };
    const agreed = acceptDeflateResponse(
      offers('permessage-deflate; server_max_window_bits=10; client_max_window_bits=9'),
      wishes,
    );
    assert.deepEqual(agreed, {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 9,
    });
  });

  test('answers that break the offer are refused with a reason', () => {
    const refusals: [string, object][] = [
      ['permessage-deflate, permessage-deflate', {}],
      ['x-other', {}],
      ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }],
      ['permessage-deflate; client_max_window_bits=10', {}],
      ['permessage-deflate; client_max_window_bits=8', { clientMaxWindowBits: 10 }],
      ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }],
      ['permessage-deflate', { serverMaxWindowBits: 10 }],
      ['permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 10 }],
      ['permessage-deflate', { serverNoContextTakeover: true }],
      ['permessage-deflate; bogus', {}],
    ];
    for (const [answer, wishes] of refusals)
      assert.equal(typeof acceptDeflateResponse(offers(answer), wishes), 'string', answer);
  });
});

const GOOD = {
  host: 'example.com',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

describe('the opening handshake: the server checks', () => {
  test('a good request, with tokens in any case and in lists', () => {
    const check = checkUpgradeRequest(
      'GET',
      '1.1',
      new Headers({
        ...GOOD,
        upgrade: 'h2c, WebSocket',
        connection: 'keep-alive, UPGRADE',
        'sec-websocket-protocol': 'chat, superchat',
      }),
    );
    assert.deepEqual(check, {
      ok: true,
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      protocols: ['chat', 'superchat'],
      extensions: [],
    });
  });

  test('a malformed extension field is declined, not refused', () => {
    const check = checkUpgradeRequest(
      'GET',
      '1.1',
      new Headers({ ...GOOD, 'sec-websocket-extensions': 'permessage-deflate; =' }),
    );
    assert.deepEqual(check.ok && check.extensions, []);
  });

  test('each broken requirement gets its status', () => {
    const cases: [string, string, Record<string, string | undefined>, number][] = [
      ['GET', '1.1', { upgrade: undefined }, 426],
      ['GET', '1.1', { connection: 'keep-alive' }, 426],
      ['GET', '1.1', { upgrade: 'h2c' }, 426],
      ['POST', '1.1', {}, 400],
      ['GET', '1.0', {}, 400],
      ['GET', '1.1', { 'sec-websocket-version': '8' }, 426],
      ['GET', '1.1', { 'sec-websocket-version': undefined }, 426],
      ['GET', '1.1', { 'sec-websocket-key': undefined }, 400],
      ['GET', '1.1', { 'sec-websocket-key': 'c2hvcnQ=' }, 400],
      ['GET', '1.1', { host: undefined }, 400],
      ['GET', '1.1', { 'sec-websocket-protocol': 'a b' }, 400],
      ['GET', '1.1', { 'sec-websocket-protocol': 'chat, chat' }, 400],
    ];
    for (const [method, version, changes, status] of cases) {
      const fields = Object.fromEntries(
        Object.entries({ ...GOOD, ...changes }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const check = checkUpgradeRequest(method, version, new Headers(fields));
      assert.equal(check.ok ? 101 : check.status, status, `${method} ${version} ${JSON.stringify(changes)}`);
      if (!check.ok && status === 426) assert.equal(check.headers['Sec-WebSocket-Version'], '13');
    }
  });

  test('two Sec-WebSocket-Key fields are refused', () => {
    const headers = new Headers(GOOD);
    headers.append('sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ==');
    assert.equal(checkUpgradeRequest('GET', '1.1', headers).ok, false);
  });
});

describe('the opening handshake: the client checks', () => {
  const ANSWER = {
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
  };
  const offer = { accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', protocols: ['chat'] };

  test('a good answer, with a subprotocol and an extension', () => {
    const answer = checkUpgradeResponse(
      101,
      new Headers({ ...ANSWER, 'sec-websocket-protocol': 'chat', 'sec-websocket-extensions': 'permessage-deflate' }),
      offer,
    );
    assert.deepEqual(answer, { ok: true, protocol: 'chat', extensions: [{ name: 'permessage-deflate', params: [] }] });
  });

  test('bad answers are refused', () => {
    const bad: [number, Record<string, string>][] = [
      [200, ANSWER],
      [101, { ...ANSWER, 'sec-websocket-accept': 'wrong' }],
      [101, { ...ANSWER, upgrade: 'h2c' }],
      [101, { ...ANSWER, connection: 'close' }],
      [101, { ...ANSWER, 'sec-websocket-protocol': 'other' }],
      [101, { ...ANSWER, 'sec-websocket-extensions': 'a;' }],
    ];
    for (const [status, fields] of bad)
      assert.equal(checkUpgradeResponse(status, new Headers(fields), offer).ok, false);
  });
});
