/** Engines shared by the CLI and the benchmarks: the load generator (`wirekit bench`). */
export type { ErrorPhase } from './loadgen/driver.js';
export { LatencyHistogram, type LatencySummary } from './loadgen/histogram.js';
export { loadTest } from './loadgen/load-test.js';
export {
  LOAD_TEST_DEFAULTS,
  type LoadProgress,
  type LoadTarget,
  type LoadTestOptions,
} from './loadgen/options.js';
export type { TimelineSample } from './loadgen/recorder.js';
export { type LoadTestResult, RESULT_SCHEMA, type StopReason, type TargetCounts } from './loadgen/result.js';
