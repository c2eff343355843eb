import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePath } from '../../../src/web/middleware/static/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { get, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

const SECRET = 'TOP-SECRET-7c1f';

/**
 * `<tmp>/secret.txt` and `<tmp>/site-secret/x.txt` (a sibling whose name starts with the root's)
 * hold the secret; the root is `<tmp>/site`, with symlinks out of it and to a dotfile.
 */
async function layout() {
  const top = await tempDir(leaks);
  const root = join(top, 'site');
  await writeFiles(top, { 'secret.txt': SECRET, 'site-secret/x.txt': SECRET });
  await writeFiles(root, {
    'public.txt': 'public',
    'inner/page.txt': 'inner',
    '.env': SECRET,
    '.git/config': SECRET,
    'inner/.hidden/file.txt': SECRET,
  });
  await mkdir(join(root, 'links'));
  await symlink(join(top, 'secret.txt'), join(root, 'out-link.txt'));
  await symlink(top, join(root, 'out-dir'));
  await symlink(join(top, 'site-secret'), join(root, 'sibling'));
  await symlink(join(root, 'public.txt'), join(root, 'in-link.txt'));
  await symlink(join(root, 'inner'), join(root, 'in-dir'));
  await symlink(join(root, '.env'), join(root, 'env-link.txt'));
  return { top, root };
}

const ATTACKS = [
  '/../secret.txt',
  '/inner/../../secret.txt',
  '/%2e%2e/secret.txt',
  '/%2E%2E/secret.txt',
  '/.%2e/secret.txt',
  '/%2e./secret.txt',
  '/inner/%2e%2e/%2e%2e/secret.txt',
  '/..%2fsecret.txt',
  '/inner/..%2f..%2fsecret.txt',
  '/%2e%2e%2fsecret.txt',
  '/..%5csecret.txt',
  '/inner/..%5c..%5csecret.txt',
  '/..\\secret.txt',
  '/inner\\..\\..\\secret.txt',
  '/public.txt%00',
  '/%00/../secret.txt',
  '/..%00/secret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/%c0%2e%c0%2e/secret.txt',
  '/%e0%80%ae%e0%80%ae/secret.txt',
  '/%c0%af..%c0%afsecret.txt',
  '/%252e%252e/secret.txt',
  '/%252e%252e%252fsecret.txt',
  '/%2e%2e/site-secret/x.txt',
  '/../site-secret/x.txt',
  '//secret.txt',
  '/inner//../../secret.txt',
  '/%2fsecret.txt',
  'http://test/../secret.txt',
  'http://test/%2e%2e/secret.txt',
  '/out-link.txt',
  '/out-dir/secret.txt',
  '/out-dir/site-secret/x.txt',
  '/sibling/x.txt',
  '/out-dir/',
  '/.env',
  '/%2eenv',
  '/.git/config',
  '/.git/',
  '/inner/.hidden/file.txt',
  '/env-link.txt',
];

test('no encoding of a path leaves the root: every attempt is a 4xx and the secret never appears', async () => {
  const { root } = await layout();
  const server = await serveDir(leaks, root);
  for (const target of ATTACKS) {
    for (const accept of ['*/*', 'application/json']) {
      const res = await get(server, target, { Accept: accept });
      assert.ok(res.status >= 400 && res.status < 500, `${target} → ${res.status}`);
      assert.ok(!res.raw.includes(SECRET), `${target} leaked the secret`);
      assert.ok(!res.raw.includes(root), `${target} revealed the root's path`);
    }
  }
});

test('the same attempts with dotfiles denied and without fallthrough: 4xx, no secret, no path', async () => {
  const { root } = await layout();
  const server = await serveDir(leaks, root, { dotfiles: 'deny', fallthrough: false });
  for (const target of ATTACKS) {
    const res = await get(server, target);
    assert.ok(res.status >= 400 && res.status < 500, `${target} → ${res.status}`);
    assert.ok(!res.raw.includes(SECRET), `${target} leaked the secret`);
    assert.ok(!res.raw.includes(root), `${target} revealed the root's path`);
  }
});

test('symlinks inside the root are served; a listing shows neither links out nor dotfiles', async () => {
  const { root } = await layout();
  const server = await serveDir(leaks, root);
  assert.equal((await get(server, '/in-link.txt')).body.toString(), 'public');
  assert.equal((await get(server, '/in-dir/page.txt')).body.toString(), 'inner');
  const listing = await get(server, '/', { Accept: 'application/json' });
  const names = (JSON.parse(listing.body.toString()) as { name: string }[]).map((e) => e.name).sort();
  assert.deepEqual(names, ['in-dir', 'in-link.txt', 'inner', 'links', 'public.txt']);
});

test('followSymlinks: true serves links that leave the root (opt-in)', async () => {
  const { root } = await layout();
  const server = await serveDir(leaks, root, { followSymlinks: true });
  assert.equal((await get(server, '/out-link.txt')).body.toString(), SECRET);
  // Still no `..`, whatever the option.
  assert.equal((await get(server, '/%2e%2e/secret.txt')).status, 404);
});

test('dotfiles: ignore → 404, deny → 403, allow → served', async () => {
  const { root } = await layout();
  const ignore = await serveDir(leaks, root);
  assert.equal((await get(ignore, '/.env')).status, 404);
  const deny = await serveDir(leaks, root, { dotfiles: 'deny' });
  for (const target of ['/.env', '/.git/config', '/inner/.hidden/file.txt', '/env-link.txt']) {
    const res = await get(deny, target);
    assert.equal(res.status, 403, target);
    assert.ok(!res.raw.includes(SECRET));
  }
  const allow = await serveDir(leaks, root, { dotfiles: 'allow' });
  assert.equal((await get(allow, '/.env')).body.toString(), SECRET);
  const listing = await get(allow, '/', { Accept: 'application/json' });
  assert.ok((JSON.parse(listing.body.toString()) as { name: string }[]).some((e) => e.name === '.env'));
});

test('decodePath: decodes once, refuses rather than normalises', () => {
  assert.deepEqual(decodePath('a/b%20c/'), { segments: ['a', 'b c'], trailingSlash: true });
  assert.deepEqual(decodePath('%25252e'), { segments: ['%252e'], trailingSlash: false });
  assert.deepEqual(decodePath('caf%C3%A9'), { segments: ['café'], trailingSlash: false });
  assert.deepEqual(decodePath(''), { segments: [], trailingSlash: true });
  for (const refused of [
    '..',
    'a/../b',
    '%2e',
    'a%2fb',
    'a%5cb',
    'a\\b',
    'a%00',
    'a//b',
    '%c0%ae',
    '%zz',
    'a%2',
    '%ff',
    'é',
  ]) {
    assert.equal(decodePath(refused), undefined, refused);
  }
});

test("the root's .well-known/ is served whatever the dotfile policy; dotfiles inside it are not", async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, {
    '.well-known/acme-challenge/token123': 'proof',
    '.well-known/.secret': SECRET,
    'docs/.well-known/x': SECRET,
  });
  for (const dotfiles of ['ignore', 'deny'] as const) {
    const server = await serveDir(leaks, root, { dotfiles });
    const challenge = await get(server, '/.well-known/acme-challenge/token123');
    assert.equal(challenge.status, 200, dotfiles);
    assert.equal(challenge.body.toString(), 'proof');
    assert.notEqual((await get(server, '/.well-known/.secret')).status, 200, `${dotfiles}: a dotfile inside`);
    assert.notEqual((await get(server, '/docs/.well-known/x')).status, 200, `${dotfiles}: not at the root`);
  }
});
