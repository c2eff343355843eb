/** Exhaustiveness check for switches over named unions (docs/architecture.md, Rules). */
export function assertNever(value: never): never {
  throw new TypeError(`unexpected value: ${String(value)}`);
}
