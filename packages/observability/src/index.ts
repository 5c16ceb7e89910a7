export {
  createMetrics,
  type Metrics,
  type HttpObservation,
  type MetricResponse,
} from './metrics.js';
