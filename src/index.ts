/** wirekit's public API: one import for every layer that has landed. */
export * from './errors.js';
export * from './net/index.js';
