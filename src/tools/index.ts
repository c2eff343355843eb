/**
 * Engines shared by the CLI and the benchmarks: the load generator behind `wirekit bench`
 * (`loadTest`, its reports and the comparison of two results).
 */
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
  type LoadTarget,
  type LoadTestOptions,
} from './loadgen/options.js';
export type { TimelineSample } from './loadgen/recorder.js';
export { renderHtmlReport } from './loadgen/report-html.js';
export { formatProgress, formatResult } from './loadgen/report-text.js';
export { MAX_REQUEST_LIST_ENTRIES, parseRequestList } from './loadgen/request-list.js';
export { type LoadTestResult, RESULT_SCHEMA, type StopReason, type TargetCounts } from './loadgen/result.js';
