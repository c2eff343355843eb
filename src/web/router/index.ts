/**
 * The router of the web layer: the {@link Router} contract, the radix-tree implementation used by
 * the App, and the linear reference implementation used by the tests. See `docs/router.md`.
 */

export { LinearRouter } from './linear-router.js';
export { RadixRouter } from './radix-router.js';
export type { Params, RouteFound, RouteResult, Router, RouterOptions } from './router.js';
