/**
 * Usage mistakes on every command, in process: an unknown flag is answered with the nearest valid
 * one and its help line (never parseArgs' own text), a missing or invalid value with the option's
 * help line, other mistakes with the command's usage lines; all exit 2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../helpers/cli-io.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const memory = memoryIo({ cwd: process.cwd() });
  const code = await main(args, memory.io);
  return { code, stdout: memory.stdout().toString(), stderr: memory.stderr().toString() };
}

/** The long flags a command's help documents, with whether each takes a value. */
function documentedFlags(help: string): { flag: string; line: string; takesValue: boolean }[] {
  const out: { flag: string; line: string; takesValue: boolean }[] = [];
  for (const line of help.split('\n')) {
    const match = /^ {1,7}(?:-\w, )?--([a-z][\w-]*)( <[^>]+>)?/.exec(line);
    if (match !== null && match[1] !== 'help') out.push({ flag: match[1] as string, line, takesValue: !!match[2] });
  }
  return out;
}

/** The flag with its last two letters swapped: one edit away (a transposition). */
function typo(flag: string): string {
  return `${flag.slice(0, -2)}${flag.at(-1)}${flag.at(-2)}`;
}

test('every command: a misspelt flag gets "did you mean" with the flag it meant and its help line', async () => {
  let checked = 0;
  for (const command of COMMANDS) {
    const flags = documentedFlags(command.help);
    assert.ok(flags.length > 0, `${command.name} documents its flags`);
    for (const { flag, line } of flags) {
      const misspelt = typo(flag);
      if (flag.length < 5 || misspelt === flag || flags.some((f) => f.flag === misspelt)) continue;
      const r = await run([command.name, `--${misspelt}`]);
      assert.equal(r.code, 2, `${command.name} --${misspelt}`);
      assert.equal(
        r.stderr.split('\n')[0],
        `wirekit ${command.name}: unknown option --${misspelt} (did you mean --${flag}?)`,
      );
      assert.ok(r.stderr.includes(line.trimEnd()), `the hint is the help line of --${flag}: ${r.stderr}`);
      checked++;
    }
  }
  assert.ok(checked >= 40, `${checked} flags checked`);
});

test('every command: a flag without its value names the flag and shows its help line', async () => {
  for (const command of COMMANDS) {
    for (const { flag, line } of documentedFlags(command.help).filter((f) => f.takesValue)) {
      const r = await run([command.name, `--${flag}`]);
      assert.equal(r.code, 2, `${command.name} --${flag}`);
      assert.equal(r.stderr.split('\n')[0], `wirekit ${command.name}: --${flag} needs a value`);
      assert.ok(r.stderr.includes(line.trimEnd()), r.stderr);
      assert.ok(!r.stderr.includes('argument missing'), 'not parseArgs text');
    }
  }
});

test('an unknown flag with nothing near, a flag given a value it does not take, an option as a value', async () => {
  const unknown = await run(['serve', '--zzzzzz']);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    "wirekit serve: unknown option --zzzzzz\nUsage: wirekit serve [dir | app-module] [options]\nRun 'wirekit serve --help' for every option.\n",
  );
  const valued = await run(['serve', '--cors=yes']);
  assert.match(valued.stderr, /^wirekit serve: --cors takes no value \(got "yes"\)\n {6}--cors {12}answer CORS/);
  const swallowed = await run(['serve', '--port', '--cors']);
  assert.match(swallowed.stderr, /^wirekit serve: --port needs a value, not the option --cors/);
  for (const r of [unknown, valued, swallowed]) assert.ok(!r.stderr.includes('To specify'), r.stderr);
});

test('invalid values name the flag and show its help line', async () => {
  const cases: [string[], RegExp][] = [
    [['serve', '--port', 'abc'], /^wirekit serve: --port: not a port number \(0 to 65535\): "abc"\n {2}-p, --port <n>/],
    [
      ['bench', ':1', '-c', 'x'],
      /^wirekit bench: --connections: not a whole number of at least 1: "x"\n {2}-c, --connections/,
    ],
    [
      ['tcp', 'connect', '127.0.0.1:1', '-w', 'soon'],
      /^wirekit tcp: --timeout: not a number with a unit: "soon" \(say 500ms, 10s or 2m\)\n {2}-w, --timeout/,
    ],
    [
      ['request', '-p', 'xyz', ':1'],
      /^wirekit request: --print takes the letters H, B, h, b, not "xyz"\n {2}-p, --print/,
    ],
  ];
  for (const [args, expected] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, expected);
  }
});

test("flags from curl and nc get wirekit's way; other mistakes get the usage lines", async () => {
  const curl = await run(['request', '-X', 'POST', ':1']);
  assert.match(
    curl.stderr,
    /^wirekit request: unknown option -X: the method is the first word: wirekit request POST URL\n/,
  );
  const nc = await run(['tcp', '-l', '9000']);
  assert.match(nc.stderr, /^wirekit tcp: unknown option -l: listening is a word: wirekit tcp listen PORT\n/);
  const bare = await run(['tcp']);
  assert.equal(
    bare.stderr,
    "wirekit tcp: say connect or listen\nUsage: wirekit tcp connect HOST:PORT [options]\n       wirekit tcp listen [HOST:]PORT [options]\nRun 'wirekit tcp --help' for every option.\n",
  );
});

test('an unknown command gets the nearest one; -h after -- is an operand, not a request for help', async () => {
  const near = await run(['reqeust', ':8080']);
  assert.deepEqual(
    [near.code, near.stderr],
    [2, "wirekit: unknown command 'reqeust': did you mean 'wirekit request'?\n"],
  );
  const far = await run(['deploy']);
  assert.equal(far.stderr, "wirekit: unknown command 'deploy': run 'wirekit --help' for the commands\n");
  const operand = await run(['tcp', 'connect', '--', '-h']);
  assert.equal(operand.code, 2);
  assert.equal(operand.stdout, '', 'no help');
  assert.match(operand.stderr, /^wirekit tcp: not HOST:PORT: "-h"/);
});
