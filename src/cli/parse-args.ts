/**
 * Command-line parsing for every command: `node:util` parseArgs, with its errors rewritten as
 * usage errors that say what to do ("unknown option --prot (did you mean --port?)") instead of
 * parseArgs' own text, and the hint printed under any usage error (see {@link usageHint}).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { nearest } from '../util/nearest.js';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * What {@link parseCommandArgs} returns: parseArgs' `values` (typed by the options) and `positionals`.
 *
 * @example
 * ```ts
 * const parsed: ParsedArgs<typeof OPTIONS> = parseCommandArgs(args, OPTIONS);
 * ```
 */
export type ParsedArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parses `args` against `options` (positionals allowed). Throws a {@link UsageError} naming the
 * flag for an unknown option (with the nearest known one), a missing value, or a value given to a
 * flag that takes none; `tips` adds a word for flags people bring from other tools (curl's `-X`).
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs(args, { port: { type: 'string', short: 'p' } });
 * ```
 */
export function parseCommandArgs<const O extends Options>(
  args: readonly string[],
  options: O,
  tips: Readonly<Record<string, string>> = {},
): ParsedArgs<O> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    throw diagnose(args, options, tips) ?? new UsageError((error as Error).message.split('\n')[0] as string);
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** The first mistake in `args`, found on parseArgs' tokens of a lenient parse. */
function diagnose(args: readonly string[], options: Options, tips: Readonly<Record<string, string>>) {
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const flag = token.rawName.startsWith('--') ? `--${token.name}` : token.rawName;
    const spec = options[token.name];
    if (spec === undefined) return unknown(flag, options, tips);
    const name = `--${token.name}`;
    if (spec.type === 'boolean' && token.inlineValue === true) {
      return new UsageError(`${name} takes no value (got ${JSON.stringify(token.value)})`, { flag: name });
    }
    if (spec.type === 'string' && token.value === undefined) {
      return new UsageError(`${flag} needs a value`, { flag: name });
    }
    if (spec.type === 'string' && token.inlineValue !== true && token.value?.startsWith('-') === true) {
      return new UsageError(
        `${flag} needs a value, not the option ${token.value} (a value starting with '-' is written ${name}=${token.value})`,
        { flag: name },
      );
    }
  }
  return undefined;
}

function unknown(flag: string, options: Options, tips: Readonly<Record<string, string>>): UsageError {
  const tip = tips[flag];
  if (tip !== undefined) return new UsageError(`unknown option ${flag}: ${tip}`);
  if (!flag.startsWith('--')) return new UsageError(`unknown option ${flag}`);
  const guess = nearest(flag.slice(2), [...Object.keys(options), 'help']);
  if (guess === undefined) return new UsageError(`unknown option ${flag}`);
  return new UsageError(`unknown option ${flag} (did you mean --${guess}?)`, { flag: `--${guess}` });
}

/**
 * What to print under a usage error: the lines of `help` that document `flag` (the option's
 * synopsis and meaning), else the usage lines of `help` and where to read more.
 *
 * @example
 * ```ts
 * usageHint(serveCommand.help, 'serve', '--port');
 * // '  -p, --port <n>        port to listen on (default 8080; 0 picks a free one)\n'
 * ```
 */
export function usageHint(help: string, command: string, flag: string | undefined): string {
  const lines = help.split('\n');
  if (flag !== undefined) {
    // An option line is indented a little (its continuation lines, which may name it too, more).
    const documented = new RegExp(`^ {1,7}(?:-\\w, )?${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);
    const at = lines.findIndex((l) => documented.test(l));
    if (at >= 0) {
      // The option's line and its continuation lines (indented past the flag column, no flag).
      const block = [lines[at] as string];
      for (let i = at + 1; /^ {8,}[^\s-]/.test(lines[i] ?? ''); i++) block.push(lines[i] as string);
      return `${block.map((l) => l.trimEnd()).join('\n')}\n`;
    }
  }
  const start = lines.findIndex((l) => l.startsWith('Usage:'));
  const usage = start < 0 ? [] : [lines[start] as string];
  for (let i = start + 1; start >= 0 && /^\s+wirekit /.test(lines[i] ?? ''); i++) usage.push(lines[i] as string);
  return `${usage.join('\n')}${usage.length > 0 ? '\n' : ''}Run 'wirekit ${command} --help' for every option.\n`;
}
