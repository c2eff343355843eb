/** The package's `exports` map: every entry point resolves by name (self-reference) and exports its API. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/paths.js';

/** The JavaScript entry points of package.json `exports`, as import specifiers (`wirekit`, `wirekit/net`, …). */
function entryPoints(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { import?: string }>;
  };
  return Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object' && target.import !== undefined)
    .map(([path]) => (path === '.' ? manifest.name : `${manifest.name}/${path.slice(2)}`));
}

test('wirekit and its subpaths resolve and export their layers', async () => {
  const root = (await import('wirekit')) as Record<string, unknown>;
  const net = (await import('wirekit/net')) as Record<string, unknown>;
  const http = (await import('wirekit/http')) as Record<string, unknown>;
  const web = (await import('wirekit/web')) as Record<string, unknown>;
  const client = (await import('wirekit/client')) as Record<string, unknown>;
  const ws = (await import('wirekit/ws')) as Record<string, unknown>;
  for (const [mod, names] of [
    [net, ['listen', 'connect', 'bind', 'Connection']],
    [http, ['serve', 'Request', 'Response', 'Headers', 'RequestParser']],
    [web, ['App', 'serveStatic', 'cors', 'compress', 'validate', 'HttpError']],
    [client, ['request', 'fetch', 'Pool', 'Agent', 'Client']],
    [ws, ['WebSocketServer', 'WebSocketConnection', 'WebSocketHub', 'FrameParser', 'memoryPipe']],
  ] as const) {
    for (const name of names) {
      assert.equal(typeof mod[name], 'function', `${name} is exported`);
      assert.equal(root[name], mod[name], `${name} is the same from 'wirekit'`);
    }
  }
  // The load generator is a subpath of its own: it carries the HDR histogram dependency.
  const tools = (await import('wirekit/tools')) as Record<string, unknown>;
  for (const name of ['loadTest', 'compareResults', 'renderHtmlReport', 'formatResult']) {
    assert.equal(typeof tools[name], 'function', `${name} is exported by wirekit/tools`);
  }
});

test('every entry point in package.json exports exports WirekitError and isWirekitError, the same ones', async () => {
  const entries = entryPoints();
  assert.ok(entries.length >= 5, `entry points: ${entries.join(', ')}`);
  const root = (await import('wirekit')) as Record<string, unknown>;
  for (const specifier of entries) {
    const mod = (await import(specifier)) as Record<string, unknown>;
    for (const name of ['WirekitError', 'isWirekitError', 'TimeoutError', 'LimitError', 'NetError', 'ProtocolError']) {
      assert.equal(typeof mod[name], 'function', `${specifier} exports ${name}`);
      // One class across entry points: `instanceof` holds whichever of them the error came from.
      assert.equal(mod[name], root[name], `${specifier}'s ${name} is the one of 'wirekit'`);
    }
  }
});
