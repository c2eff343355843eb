/** wirekit's public API: one import for every layer. */
export * from './client/index.js';
export * from './errors.js';
export * from './http/index.js';
export * from './net/index.js';
export * from './web/index.js';
export * from './ws/index.js';
