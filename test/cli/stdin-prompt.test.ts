/** A command that reads a terminal's standard input says so, instead of looking hung; piped, it says nothing. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { bind } from '../../src/net/udp.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';

const leaks = trackLeaks();

test('udp send without a message: a prompt on a terminal, none when piped; the datagram arrives', async () => {
  const receiver = await bind({ port: 0, host: '127.0.0.1' });
  leaks.defer(() => receiver.close());
  for (const [stdinTty, prompt] of [
    [true, '(the datagram from standard input: type it, then Ctrl-D)\n'],
    [false, ''],
  ] as const) {
    const memory = memoryIo({ cwd: tmpdir(), stdin: 'ping', stdinTty });
    const code = await main(['udp', 'send', `127.0.0.1:${receiver.address.port}`], memory.io);
    assert.equal(code, 0, memory.stderr().toString());
    assert.equal(memory.stderr().toString(), prompt);
    const datagram = await receiver.receive({ timeoutMs: 10_000 });
    assert.equal(Buffer.from(datagram?.data ?? []).toString(), 'ping');
  }
});
