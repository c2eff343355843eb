/**
 * The upgrade hand-off over a real socket (issue 3; docs/architecture.md, http/server): `info.upgrade()` gives the
 * handler the connection, the bytes that came after the request head as `head` and later bytes
 * through `receive`; a declined Upgrade is a normal response and the connection goes on as HTTP;
 * a declined CONNECT is answered and closed; an accepted CONNECT becomes a tunnel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WirekitError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/index.js';
import { type ConnInfo, channels, type Upgraded } from '../../../src/http/server/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, saysClose } from '../../helpers/response-reader.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();

const UPGRADE = ['Connection: Upgrade', 'Upgrade: shout'];

/** Upgrades to a toy protocol that answers every chunk in upper case, after writing the 101 itself. */
async function shoutServer() {
  const seen: { head?: string; upgraded?: Upgraded; paths: string[] } = { paths: [] };
  const server = await startServer(leaks, (req, info) => {
    seen.paths.push(req.path);
    if (req.path !== '/shout' || !info.canUpgrade) return new Response(`plain ${req.path}`);
    const upgraded = info.upgrade();
    seen.upgraded = upgraded;
    seen.head = Buffer.from(upgraded.head).toString('latin1');
    const conn = upgraded.connection;
    conn.send('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\n');
    if (upgraded.head.length > 0) conn.send(Buffer.from(upgraded.head).toString('latin1').toUpperCase());
    upgraded.receive({
      onData: (chunk) => {
        conn.send(Buffer.from(chunk).toString('latin1').toUpperCase());
      },
      onEnd: () => {
        conn.end().catch(() => {});
      },
    });
    return new Response('ignored: the connection was taken');
  });
  return { ...server, seen };
}

test('info.upgrade(): the handler writes the 101, gets the early bytes as head and the rest via receive', async () => {
  const server = await shoutServer();
  const client = await server.client();
  await client.write(`${request('GET', '/shout', UPGRADE)}early bytes`);
  await client.until(() => client.text.includes('EARLY BYTES'), 'the early bytes answered');
  assert.equal(server.seen.head, 'early bytes');
  assert.ok(client.text.startsWith('HTTP/1.1 101 Switching Protocols\r\n'));
  assert.ok(!client.text.includes('ignored'), "the handler's response is not sent");
  await client.write('later bytes, GET / HTTP/1.1\r\n\r\n');
  await client.until(() => client.text.includes('LATER BYTES, GET / HTTP/1.1'), 'later bytes answered');
  assert.deepEqual(server.seen.paths, ['/shout'], 'nothing after the upgrade is parsed as HTTP');
  client.end();
  await client.waitEnded();
});

test('info.upgrade() with no bytes after the head: head is empty, receive gets the first bytes', async () => {
  const server = await shoutServer();
  const client = await server.client();
  await client.write(request('GET', '/shout', UPGRADE));
  await client.until(() => client.text.includes('\r\n\r\n'), 'the 101');
  assert.equal(server.seen.head, '');
  await client.write('hello');
  await client.until(() => client.text.endsWith('HELLO'), 'the echo');
  client.end();
  await client.waitEnded();
});

test('a declined Upgrade gets a normal response and the connection goes on as HTTP', async () => {
  const server = await startServer(leaks, (req, info) => new Response(`${req.path} ${info.canUpgrade}`));
  const client = await server.client();
  await client.write(request('GET', '/maybe', UPGRADE) + request('GET', '/next'));
  const [declined, next] = await client.read(2);
  assert.equal(declined?.status, 200);
  assert.equal(bodyText(declined!), '/maybe true');
  assert.equal(bodyText(next!), '/next false');
  assert.ok(await client.staysOpen());
});

test('a declined Upgrade with a body: the body is read as the body, the next request parsed after it', async () => {
  const server = await startServer(leaks, async (req) => new Response(`${req.path} [${await req.text()}]`));
  const client = await server.client();
  await client.write(request('POST', '/up', UPGRADE, 'GET /x HTTP/1.1') + request('GET', '/next'));
  const [declined, next] = await client.read(2);
  assert.equal(bodyText(declined!), '/up [GET /x HTTP/1.1]');
  assert.equal(bodyText(next!), '/next []');
});

test('upgrade() on a request that asks for none throws WK_ERR_HTTP_UPGRADE (the handler gets 500)', async () => {
  let thrown: unknown;
  const server = await startServer(leaks, (_req, info) => {
    assert.equal(info.canUpgrade, false);
    try {
      info.upgrade();
    } catch (error) {
      thrown = error;
      throw error;
    }
    return new Response('unreachable');
  });
  const client = await server.client();
  await client.write(request('GET', '/'));
  const [response] = await client.read(1);
  assert.equal(response?.status, 500);
  assert.ok(thrown instanceof WirekitError && thrown.code === 'WK_ERR_HTTP_UPGRADE');
});

test('a declined CONNECT is answered and the connection closed; tunnel bytes are never parsed', async () => {
  const server = await startServer(leaks, (req) => new Response(`no tunnel to ${req.target}`, { status: 403 }));
  const client = await server.client();
  await client.write(
    `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n${request('GET', '/in-tunnel')}`,
  );
  await client.waitEnded();
  const responses = client.finals();
  assert.equal(responses.length, 1);
  assert.equal(responses[0]?.status, 403);
  assert.ok(saysClose(responses[0]!));
  assert.equal(server.calls, 1);
});

test('a 2xx to a CONNECT the handler did not take over has no Content-Length or Transfer-Encoding (RFC 9110 §9.3.6)', async () => {
  const server = await startServer(leaks, (req) =>
    req.target.endsWith(':80')
      ? new Response(
          (async function* () {
            yield Buffer.from('a body after a 2xx to CONNECT ');
            yield Buffer.from('is tunnel data');
          })(),
        )
      : new Response('a body after a 2xx to CONNECT is tunnel data'),
  );
  for (const target of ['example.com:443', 'example.com:80']) {
    const client = await server.client();
    await client.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    await client.waitEnded();
    const head = client.text.slice(0, client.text.indexOf('\r\n\r\n') + 4);
    assert.match(head, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(head, /content-length|transfer-encoding/i, head);
    assert.equal(client.text.slice(head.length), 'a body after a 2xx to CONNECT is tunnel data');
  }
});

test('an accepted CONNECT becomes a tunnel', async () => {
  const server = await startServer(leaks, (_req, info) => {
    const { connection, head, receive } = info.upgrade();
    connection.send('HTTP/1.1 200 Connection Established\r\n\r\n');
    connection.send(`tunnel got [${Buffer.from(head).toString('latin1')}]`);
    receive({
      onData: (chunk) => {
        connection.send(`tunnel got [${Buffer.from(chunk).toString('latin1')}]`);
      },
      onEnd: () => {
        connection.end().catch(() => {});
      },
    });
    return new Response(null);
  });
  const client = await server.client();
  await client.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nfirst');
  await client.until(() => client.text.includes('tunnel got [first]'), 'the tunnel');
  await client.write('GET / HTTP/1.1\r\n\r\n');
  await client.until(() => client.text.includes('tunnel got [GET / HTTP/1.1\r\n\r\n]'), 'more tunnel data');
  assert.equal(server.calls, 1);
  client.end();
  await client.waitEnded();
});

test('an upgrade pipelined behind a plain request: the plain answer leaves before the 101', async () => {
  const server = await shoutServer();
  const client = await server.client();
  await client.write(`${request('GET', '/first')}${request('GET', '/shout', UPGRADE)}hi`);
  await client.until(() => client.text.includes('HI'), 'the early bytes answered');
  const plain = client.text.indexOf('plain /first');
  const switching = client.text.indexOf('HTTP/1.1 101 Switching Protocols');
  assert.ok(plain !== -1 && switching !== -1 && plain < switching, client.text);
  assert.deepEqual(server.seen.paths, ['/first', '/shout']);
  client.end();
  await client.waitEnded();
});

// After the upgrade the server keeps an UpgradedConnection in the HttpConnection's place (the HTTP
// state is let go): the connection must still count, close with the server and be published.
test('an upgraded connection is counted until it closes, and its close is published with the info of its open', async () => {
  const server = await shoutServer();
  const opened: ConnInfo[] = [];
  const closed: ConnInfo[] = [];
  const mine = (info: ConnInfo): boolean => info.localAddress?.port === server.port;
  const onOpen = (m: unknown): void => {
    const { info } = m as { info: ConnInfo };
    if (mine(info)) opened.push(info);
  };
  const onClose = (m: unknown): void => {
    const { info } = m as { info: ConnInfo };
    if (mine(info)) closed.push(info);
  };
  channels.connectionOpen.subscribe(onOpen);
  channels.connectionClose.subscribe(onClose);
  leaks.defer(() => {
    channels.connectionOpen.unsubscribe(onOpen);
    channels.connectionClose.unsubscribe(onClose);
  });
  const client = await server.client();
  await client.write(request('GET', '/shout', UPGRADE));
  await client.until(() => client.text.includes('101 Switching'), 'the 101');
  await client.write('ping');
  await client.until(() => client.text.includes('PING'), 'the upgraded protocol answering');
  assert.equal(server.server.connections, 1);
  client.destroy();
  await eventually(() => server.server.connections === 0, 'the upgraded connection leaving the count');
  await eventually(() => closed.length === 1, 'the close published');
  assert.equal(opened.length, 1);
  assert.equal(closed[0], opened[0], 'the same info as the open');
});

test('server.close({ timeoutMs }) destroys an upgraded connection its new owner leaves open', async () => {
  const server = await shoutServer();
  const client = await server.client();
  await client.write(request('GET', '/shout', UPGRADE));
  await client.until(() => client.text.includes('101 Switching'), 'the 101');
  await client.write('ping');
  await client.until(() => client.text.includes('PING'), 'the upgraded protocol answering');
  await server.server.close({ timeoutMs: 50 });
  await client.waitEnded();
  assert.equal(server.server.connections, 0);
});
