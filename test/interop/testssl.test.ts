/**
 * testssl.sh against `wirekit serve --tls` on its default configuration: protocols (`-p`), cipher
 * categories (`-s`) and vulnerabilities (`-U`), no finding rated worse than LOW. One run (about a
 * minute; checks in parallel only fight over the two cores), its flat JSON parsed. Required when
 * CI=true; skipped elsewhere without testssl.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { wirekit } from '../cli/processes.js';
import { trackLeaks } from '../helpers/leaks.js';

const TESTSSL = ['/usr/bin/testssl', '/usr/bin/testssl.sh'].find((path) => existsSync(path));
const skip =
  TESTSSL !== undefined || process.env.CI === 'true' ? false : 'needs testssl.sh: apt-get install testssl.sh';
const leaks = trackLeaks();
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-testssl-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Finding {
  id: string;
  severity: 'OK' | 'INFO' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | 'WARN' | 'DEBUG' | 'FATAL';
  finding: string;
}

/** testssl's own problems (its OpenSSL lacks GOST engines...), not findings about the server. */
const TOOL_NOTES = new Set(['engine_problem', 'scanProblem']);
const WORSE_THAN_LOW = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);

test('testssl: protocols, ciphers and vulnerabilities: nothing worse than LOW', {
  skip,
  timeout: 240_000,
}, async () => {
  const serve = wirekit(leaks, ['serve', dir, '--tls', '--port', '0', '-q'], null, {
    ...process.env,
    XDG_CONFIG_HOME: join(dir, 'config'),
  });
  const [, port] = await serve.waitFor(/at https:\/\/127\.0\.0\.1:(\d+)\//, true);
  const json = join(dir, 'testssl.json');
  const output = await new Promise<string>((resolve) => {
    execFile(
      TESTSSL ?? 'testssl',
      [
        '--quiet',
        '--color',
        '0',
        '--warnings',
        'off',
        '--connect-timeout',
        '10',
        '--openssl-timeout',
        '10',
        '--protocols',
        '--std',
        '--vulnerable',
        '--jsonfile',
        json,
        `127.0.0.1:${port}`,
      ],
      { timeout: 200_000, maxBuffer: 16 * 1024 * 1024 },
      // testssl's exit code counts findings of any severity: the JSON is what we judge.
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
  serve.child.kill('SIGTERM');
  await serve.exited;
  assert.ok(existsSync(json), `testssl wrote no JSON:\n${output}`);
  const findings = JSON.parse(readFileSync(json, 'utf8')) as Finding[];
  const byId = new Map(findings.map((f) => [f.id, f]));
  const bad = findings.filter((f) => WORSE_THAN_LOW.has(f.severity) && !TOOL_NOTES.has(f.id));
  assert.deepEqual(bad, [], `findings worse than LOW:\n${JSON.stringify(bad, null, 2)}`);
  assert.deepEqual(
    findings.filter((f) => f.severity === 'FATAL'),
    [],
    output,
  );
  // The defaults: 1.2 and 1.3 only; client-initiated renegotiation refused.
  assert.match(byId.get('TLS1')?.finding ?? '', /not offered/);
  assert.match(byId.get('TLS1_1')?.finding ?? '', /not offered/);
  assert.match(byId.get('TLS1_2')?.finding ?? '', /^offered/);
  assert.match(byId.get('TLS1_3')?.finding ?? '', /offered/);
  assert.match(byId.get('secure_client_renego')?.finding ?? '', /not vulnerable/);
  assert.equal(byId.get('heartbleed')?.severity, 'OK');
});
