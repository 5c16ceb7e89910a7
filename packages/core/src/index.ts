export {
  StratusError,
  isStratusError,
  toProblem,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  type StratusErrorOptions,
} from './errors.js';
export { Secret } from './secret.js';
export { systemClock, createManualClock, type Clock, type ManualClock } from './clock.js';
export { parseDurationMs } from './duration.js';
export {
  createLogger,
  createSilentLogger,
  REDACTED_PATHS,
  type Logger,
  type LoggerSettings,
} from './logger.js';
