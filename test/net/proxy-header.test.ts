/**
 * `proxyProtocol` on a real listener: the client's address from a v1 or v2 header reaches
 * `ConnInfo.remoteAddress` (the proxy's as `proxiedBy`), bytes after the header are the request,
 * LOCAL keeps the socket's addresses, and a connection with no header, a malformed one, or none
 * within headerTimeoutMs is closed without reaching the handler. HAProxy itself sending the
 * header is tested with the deployment examples (test/examples/deploy.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../src/errors.js';
import { Response } from '../../src/http/message/response.js';
import { serializeProxyHeader } from '../../src/net/codec/proxy-protocol.js';
import { listen } from '../../src/net/tcp-server.js';
import { startServer } from '../helpers/http-server.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();

const V1 = 'PROXY TCP4 203.0.113.7 198.51.100.1 40001 443\r\n';

async function infoServer(options: Parameters<typeof startServer>[2] = {}) {
  return startServer(
    leaks,
    (_req, info) =>
      Response.json({ remote: info.remoteAddress, local: info.localAddress, proxiedBy: info.proxiedBy ?? null }),
    { proxyProtocol: true, ...options },
  );
}

async function connected(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  leaks.defer(() => client.destroy());
  return client;
}

describe('proxyProtocol on serve()', () => {
  test('v1: the client address from the header; the proxy as proxiedBy; the request right after it', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    client.write(V1 + request('GET', '/'));
    const [response] = await client.read(1);
    const body = JSON.parse(response?.body.toString() ?? '');
    assert.deepEqual(body.remote, { address: '203.0.113.7', port: 40001, family: 'IPv4' });
    assert.deepEqual(body.local, { address: '198.51.100.1', port: 443, family: 'IPv4' });
    assert.equal(body.proxiedBy.address, '127.0.0.1');
    assert.equal(server.calls, 1);
  });

  test('v2 with the header and the request in separate writes, keep-alive reuses the addresses', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    const header = serializeProxyHeader({
      version: 2,
      command: 'proxy',
      family: 'IPv6',
      transport: 'stream',
      source: { address: '2001:db8::42', port: 5555, family: 'IPv6' },
      destination: { address: '2001:db8::1', port: 80, family: 'IPv6' },
      tlvs: [],
    });
    const bytes = Buffer.from(header);
    client.socket.write(bytes.subarray(0, 5));
    client.socket.write(bytes.subarray(5));
    client.write(request('GET', '/a') + request('GET', '/b'));
    const responses = await client.read(2);
    for (const response of responses) {
      assert.equal(JSON.parse(response.body.toString()).remote.address, '2001:db8::42');
    }
  });

  test('LOCAL: the socket addresses stay (a health check of the proxy itself)', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    const local = serializeProxyHeader({
      version: 2,
      command: 'local',
      family: 'unknown',
      transport: 'unspec',
      source: undefined,
      destination: undefined,
      tlvs: [],
    });
    client.socket.write(Buffer.from(local));
    client.write(request('GET', '/'));
    const [response] = await client.read(1);
    const body = JSON.parse(response?.body.toString() ?? '');
    assert.equal(body.remote.address, '127.0.0.1');
    assert.equal(body.proxiedBy, null);
  });

  test('no header: closed, the handler never runs, the error is reported', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    client.write(request('GET', '/'));
    await client.waitEnded();
    assert.equal(server.calls, 0);
    await eventually(() => server.errors.some((e) => isWirekitError(e, 'WK_ERR_PROXY_PROTOCOL')), 'reported');
  });

  test('malformed header: closed before any request is read', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    client.write(`PROXY TCP4 999.0.0.1 198.51.100.1 1 2\r\n${request('GET', '/')}`);
    await client.waitEnded();
    assert.equal(server.calls, 0);
  });

  test('no complete header within headerTimeoutMs: closed with WK_ERR_PROXY_PROTOCOL_TIMEOUT', async () => {
    const server = await infoServer({ proxyProtocol: { headerTimeoutMs: 200 } });
    const client = await connected(server.port);
    client.write('PROXY TCP4 ');
    await client.waitEnded();
    await eventually(() => server.errors.some((e) => isWirekitError(e, 'WK_ERR_PROXY_PROTOCOL_TIMEOUT')), 'timeout');
    assert.equal(server.calls, 0);
  });

  test('close() does not wait for a connection still owing its header', async () => {
    const server = await infoServer();
    const client = await connected(server.port);
    client.write('PROXY ');
    await eventually(() => client.socket.bytesWritten > 0, 'written');
    await server.server.close();
    await client.waitEnded();
  });

  test('net listen(): Connection.proxiedBy and remoteAddress', async () => {
    const seen: string[] = [];
    const server = await listen({ port: 0, proxyProtocol: true }, async (conn) => {
      seen.push(`${conn.remoteAddress?.address} via ${conn.proxiedBy?.address}`);
      await conn.end('ok');
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const client = await connected(server.address.port);
    client.write(V1);
    await client.waitEnded();
    assert.deepEqual(seen, ['203.0.113.7 via 127.0.0.1']);
  });

  test('bad options are refused', async () => {
    await assert.rejects(
      listen({ port: 0, proxyProtocol: { headerTimeoutMs: -1 } }, () => {}),
      (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT'),
    );
  });
});
