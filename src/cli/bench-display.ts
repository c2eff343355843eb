/**
 * The live display of `wirekit bench`: on a terminal one status line redrawn in place (about four
 * times a second), piped one plain line per second, so a log shows the run without control codes.
 */
import { formatProgress, type LoadProgress } from '../tools/index.js';
import { CLEAR_LINE } from './paint.js';

/**
 * A progress display writing to `out`.
 *
 * @example
 * ```ts
 * const display = progressDisplay(io.stderr, isTerminal(io.stderr, io.env));
 * await loadTest({ targets, onProgress: display.update });
 * display.done();
 * ```
 */
export interface ProgressDisplay {
  update(progress: LoadProgress): void;
  /** Clears the live line (terminal) before the report is printed. */
  done(): void;
}

/**
 * What to write for `progress`: the redrawn line on a terminal; on a pipe a line when a new whole
 * second has passed since `lastSecond` (else nothing). Pure, so both modes are tested without a
 * terminal.
 *
 * @example
 * ```ts
 * paintProgress(p, true, 0).text; // '\r\x1b[2K  1.2 s / 10 s ...'
 * ```
 */
export function paintProgress(
  progress: LoadProgress,
  tty: boolean,
  lastSecond: number,
): { text: string; second: number } {
  if (tty) return { text: `${CLEAR_LINE}${formatProgress(progress)}`, second: lastSecond };
  const second = Math.floor(progress.elapsedMs / 1000);
  if (second <= lastSecond) return { text: '', second: lastSecond };
  return { text: `${formatProgress(progress)}\n`, second };
}

/**
 * A display for `out`; `tty` chooses the in-place line.
 *
 * @example
 * ```ts
 * const display = progressDisplay(process.stderr, isTerminal(process.stderr, process.env));
 * ```
 */
export function progressDisplay(out: NodeJS.WritableStream, tty: boolean): ProgressDisplay {
  let second = 0;
  let drawn = false;
  return {
    update(progress) {
      const painted = paintProgress(progress, tty, second);
      second = painted.second;
      if (painted.text === '') return;
      drawn = true;
      out.write(painted.text);
    },
    done() {
      if (tty && drawn) out.write(CLEAR_LINE);
    },
  };
}
