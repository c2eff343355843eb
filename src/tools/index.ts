/**
 * `wirekit/tools`: the engines behind the CLI's network tools, for tests and scripts: the fault
 * proxy (TCP and UDP, with a Toxiproxy-compatible control API).
 */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export { formatHostPort, type HostPort, parseHostPort } from './proxy/address.js';
export {
  CONTROL_API_VERSION,
  type ControlApi,
  type ControlApiOptions,
  type ControlAppOptions,
  controlApp,
  listenControlApi,
  TOXIPROXY_PORT,
} from './proxy/control-api.js';
export {
  type AddFaultOptions,
  type Direction,
  FAULT_TYPES,
  Fault,
  type FaultAttributes,
  type FaultType,
} from './proxy/faults.js';
export { SeededRandom } from './proxy/random.js';
export { type ProxyDefaults, type ProxyJson, ProxyRegistry, proxyJson } from './proxy/registry.js';
export {
  DEFAULT_PROXY_BUFFER_BYTES,
  DEFAULT_PROXY_CONNECT_TIMEOUT_MS,
  DEFAULT_PROXY_MAX_CONNECTIONS,
  type DisableOptions,
  FaultProxy,
  type FaultProxyOptions,
  faultProxy,
} from './proxy/tcp-proxy.js';
export { TOXIC_TYPES, type ToxicJson, toxicJson } from './proxy/toxics.js';
export {
  type DatagramCounts,
  type DatagramFaults,
  UdpFaultProxy,
  type UdpFaultProxyOptions,
  udpFaultProxy,
} from './proxy/udp-proxy.js';
