/**
 * `wirekit/tools`: the engines behind the CLI's network tools, for tests and scripts: the fault
 * proxy (TCP and UDP, with a Toxiproxy-compatible control API).
 */
export { formatHostPort, type HostPort, parseHostPort } from './proxy/address.js';
export {
  type AddFaultOptions,
  type Direction,
  FAULT_TYPES,
  Fault,
  type FaultAttributes,
  type FaultType,
} from './proxy/faults.js';
export { SeededRandom } from './proxy/random.js';
export {
  DEFAULT_PROXY_BUFFER_BYTES,
  DEFAULT_PROXY_CONNECT_TIMEOUT_MS,
  DEFAULT_PROXY_MAX_CONNECTIONS,
  type DisableOptions,
  FaultProxy,
  type FaultProxyOptions,
  faultProxy,
} from './proxy/tcp-proxy.js';
