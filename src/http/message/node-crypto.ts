import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

const require = createRequire(import.meta.url);
let loaded: NodeCrypto | undefined;

/**
 * `node:crypto`, loaded on first use. Most servers never sign a cookie, hash an ETag or mint a
 * request id, and importing the module up front costs about 1 MiB of resident memory per process.
 */
export function nodeCrypto(): NodeCrypto {
  loaded ??= require('node:crypto') as NodeCrypto;
  return loaded;
}
