/** Exhaustiveness check for switches over named unions (DESIGN.md habit 2). */
export function assertNever(value: never): never {
  throw new TypeError(`unexpected value: ${String(value)}`);
}
