import { WirekitError } from '../errors.js';
import type { ConnInfo, Upgraded } from '../http/message/conn-info.js';

/** The ConnInfo of a request run without a socket (`app.request`, `app.fetch`): loopback, no upgrade. */
export function inProcessInfo(): ConnInfo {
  return {
    remoteAddress: { address: '127.0.0.1', port: 0, family: 'IPv4' },
    localAddress: { address: '127.0.0.1', port: 0, family: 'IPv4' },
    secure: false,
    requestCount: 1,
    canUpgrade: false,
    upgrade(): Upgraded {
      throw new WirekitError('WK_ERR_HTTP_UPGRADE', 'an in-process request has no connection to upgrade');
    },
  };
}
