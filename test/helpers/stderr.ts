/** Capturing what code writes to standard error (the default sink of the JSON logger). */

/** Runs `run` with `process.stderr.write` replaced; resolves with what was written, chunk by chunk. */
export async function stderrDuring(run: () => unknown): Promise<string[]> {
  const written: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stderr.write = original;
  }
  return written;
}
