/**
 * `wirekit/tools`: the engines behind the CLI's network tools, for tests and scripts: the fault
 * proxy (TCP and UDP, with a Toxiproxy-compatible control API) and the load generator behind
 * `wirekit bench` (`loadTest`, its reports and the comparison of two results).
 */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export {
  type Comparison,
  compareResults,
  formatComparison,
  type MetricComparison,
  welchInterval,
} from './loadgen/compare.js';
export { ERROR_PHASES, type ErrorPhase } from './loadgen/driver.js';
export { LatencyHistogram, type LatencySummary } from './loadgen/histogram.js';
export { loadTest } from './loadgen/load-test.js';
export {
  LOAD_TEST_DEFAULTS,
  type LoadProgress,
  type LoadProtocol,
  type LoadTarget,
  type LoadTestOptions,
  MAX_MESSAGE_BYTES,
} from './loadgen/options.js';
export type { TimelineSample } from './loadgen/recorder.js';
export { renderHtmlReport } from './loadgen/report-html.js';
export { formatProgress, formatResult } from './loadgen/report-text.js';
export { MAX_REQUEST_LIST_ENTRIES, parseRequestList } from './loadgen/request-list.js';
export { type LoadTestResult, RESULT_SCHEMA, type StopReason, type TargetCounts } from './loadgen/result.js';
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
