import { IllegalStateTransitionError } from '../errors.js';
import type { CircuitBreakerState } from './config.js';

// Resilience4j's CircuitBreaker.StateTransition table: every pair except CLOSED → HALF_OPEN,
// METRICS_ONLY → OPEN and METRICS_ONLY → HALF_OPEN.
const FORBIDDEN = new Set([
  'CLOSED_TO_HALF_OPEN',
  'METRICS_ONLY_TO_OPEN',
  'METRICS_ONLY_TO_HALF_OPEN',
]);

/** `FROM_TO_TO` as Resilience4j names a transition (`CLOSED_TO_OPEN`). */
export function stateTransitionName(from: CircuitBreakerState, to: CircuitBreakerState): string {
  return `${from}_TO_${to}`;
}

/** @throws IllegalStateTransitionError `RES_ERR_ILLEGAL_STATE_TRANSITION` for a pair the table lacks. */
export function checkStateTransition(
  name: string,
  from: CircuitBreakerState,
  to: CircuitBreakerState,
): string {
  const transition = stateTransitionName(from, to);
  if (FORBIDDEN.has(transition)) throw new IllegalStateTransitionError(name, from, to);
  return transition;
}

/** States that publish their call events (`State.allowPublish`); DISABLED and FORCED_OPEN do not. */
export function allowsPublishing(state: CircuitBreakerState): boolean {
  return state !== 'DISABLED' && state !== 'FORCED_OPEN';
}
