/** The package's `exports` map: every entry point resolves by name (self-reference) and exports its API. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('wirekit and its subpaths resolve and export their layers', async () => {
  const root = (await import('wirekit')) as Record<string, unknown>;
  const net = (await import('wirekit/net')) as Record<string, unknown>;
  const http = (await import('wirekit/http')) as Record<string, unknown>;
  const web = (await import('wirekit/web')) as Record<string, unknown>;
  const client = (await import('wirekit/client')) as Record<string, unknown>;
  for (const [mod, names] of [
    [net, ['listen', 'connect', 'bind', 'Connection']],
    [http, ['serve', 'Request', 'Response', 'Headers', 'RequestParser']],
    [web, ['App', 'serveStatic', 'cors', 'compress', 'validate', 'HttpError']],
    [client, ['request', 'fetch', 'Pool', 'Agent', 'Client']],
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
