import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, REPO_ROOT } from './helpers/paths.js';

test('wirekit --version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim(), pkg.version);
});

test('wirekit --help describes the command and exits 0', () => {
  const out = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.match(out, /Usage:\s+wirekit <command>/);
  assert.match(out, /--version/);
});

test('an unknown command exits 2 with a message on stderr', () => {
  const run = spawnSync(process.execPath, [BIN, 'nope'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown command 'nope'/);
});
