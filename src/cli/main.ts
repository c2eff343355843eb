#!/usr/bin/env node
/**
 * The `wirekit` command: dispatches to `src/cli/commands/*`, which use the public API only.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nearest } from '../util/nearest.js';
import { COMMANDS } from './commands/index.js';
import { type CliIo, type Command, processIo } from './io.js';
import { usageHint } from './parse-args.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

function help(): string {
  const width = Math.max(8, ...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `wirekit - one network stack for Node.js

Usage:
  wirekit <command> [options]
  wirekit <command> --help

Commands:
${lines.join('\n')}

Options:
  -h, --help       show this help
  -v, --version    print the version
`;
}

/**
 * Runs the CLI with `argv` (without node and script); resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(help());
    return first === undefined ? 1 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    const guess = nearest(
      first,
      COMMANDS.map((c) => c.name),
    );
    const advice = guess === undefined ? "run 'wirekit --help' for the commands" : `did you mean 'wirekit ${guess}'?`;
    io.stderr.write(`wirekit: unknown command '${first}': ${advice}\n`);
    return 2;
  }
  if (asksForHelp(rest)) {
    io.stdout.write(command.help);
    return 0;
  }
  return runCommand(command, rest, io);
}

/** `-h` or `--help` among the options (not after `--`, where it is an operand). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  return options.includes('--help') || options.includes('-h');
}

/** Runs `command`; a usage mistake prints the message and a hint (see parse-args.ts), exit code 2. */
async function runCommand(command: Command, args: readonly string[], io: CliIo): Promise<number> {
  try {
    return await command.run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`wirekit ${command.name}: ${error.message}\n${usageHint(command.help, command.name, error.flag)}`);
    return 2;
  }
}

// Run only as a program (also through npm's bin symlink), not when imported by a test.
const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`wirekit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
