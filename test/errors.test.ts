import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, isWirekitError, LimitError, WirekitError } from '../src/errors.js';
import { REPO_ROOT } from './helpers/paths.js';

/** Rows of the docs table: `| \`WK_ERR_X\` | meaning |`. */
function documentedCodes(): Map<string, string> {
  const text = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const match of text.matchAll(/^\|\s*`(WK_ERR_[A-Z0-9_]+)`\s*\|\s*(.+?)\s*\|\s*$/gm)) {
    rows.set(match[1] as string, match[2] as string);
  }
  return rows;
}

test('docs/errors.md lists exactly the codes of ERROR_CODES, with the same meaning', () => {
  const documented = documentedCodes();
  assert.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, meaning] of Object.entries(ERROR_CODES)) assert.equal(documented.get(code), meaning, code);
});

test('WirekitError keeps code, cause, addresses and status', () => {
  const cause = new Error('ECONNRESET');
  const err = new LimitError('WK_ERR_READ_LIMIT', 'too much', {
    cause,
    localAddress: { address: '127.0.0.1', port: 1, family: 'IPv4' },
    status: 413,
  });
  assert.ok(err instanceof WirekitError);
  assert.equal(err.name, 'LimitError');
  assert.equal(err.code, 'WK_ERR_READ_LIMIT');
  assert.equal(err.cause, cause);
  assert.equal(err.localAddress?.port, 1);
  assert.equal(err.remoteAddress, undefined);
  assert.equal(err.status, 413);
  assert.ok(isWirekitError(err, 'WK_ERR_READ_LIMIT'));
  assert.ok(!isWirekitError(err, 'WK_ERR_CONNECT'));
  assert.equal(new WirekitError('WK_ERR_UDP').message, ERROR_CODES.WK_ERR_UDP);
});
