/**
 * Nesting depth of JSON request bodies. `JSON.parse` takes any depth (V8 parses iteratively), but
 * what an app does next mostly recurses: `JSON.stringify` to echo it or log it, a schema validator,
 * a deep merge or clone. At about 10,000 levels those throw `RangeError: Maximum call stack size
 * exceeded`, a 500 and a warning per request for a 100 KB body any client can send. Refusing deep
 * bodies before parsing makes that a 400 the client caused. Imports nothing.
 */

/**
 * Default deepest nesting of arrays and objects in a JSON request body: 128, as serde_json's
 * recursion limit (.NET's System.Text.Json allows 64). Real payloads nest a dozen levels at most,
 * and 128 levels are far from any stack limit of the recursive code that handles them next.
 */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/**
 * True when `text` nests arrays and objects more than `maxDepth` levels deep. Costs nothing on a
 * text too short to hold `maxDepth + 1` bracket pairs, and little on one with at most `maxDepth`
 * opening brackets anywhere (counted with `indexOf`: ~0.3 µs for 1 KiB, against ~6 µs to parse
 * it); only a text with more brackets gets the linear scan of the brackets outside strings (strings
 * skipped with `indexOf`). Only meaningful before `JSON.parse`: malformed JSON may be judged
 * either way, and parsing refuses it anyway.
 *
 * @example
 * ```ts
 * jsonTooDeep('[[[1]]]', 2); // true
 * jsonTooDeep('{"a":"[[[["}', 1); // false: brackets in strings do not count
 * ```
 */
export function jsonTooDeep(text: string, maxDepth: number): boolean {
  // Valid JSON nested deeper than maxDepth holds at least maxDepth + 1 `[`/`{` and as many closers.
  if (text.length < 2 * (maxDepth + 1)) return false;
  if (!moreOpenersThan(text, maxDepth)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i);
      if (i === -1) return false;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** True when `text` holds more than `count` `{` and `[` in all (in strings too): a cheap necessary condition. */
function moreOpenersThan(text: string, count: number): boolean {
  let seen = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++seen > count) return true;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++seen > count) return true;
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1 (unterminated). */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    // Escaped only after an odd run of backslashes (`\\"` closes, `\"` does not). Each run is
    // counted once, by the quote that follows it, so the scan stays linear.
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
