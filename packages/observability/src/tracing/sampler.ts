import {
  createContextKey,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type SpanKind,
} from '@opentelemetry/api';
import {
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';

/** Set on a context whose remote parent deferred its sampling decision (B3 without a state). */
export const DEFERRED_SAMPLING_KEY = createContextKey('stratus.tracing.deferred-sampling');
/** Set on a context whose headers carried only a decision (`b3: 0`, `X-B3-Sampled: 1`). */
export const SAMPLING_DECISION_KEY = createContextKey('stratus.tracing.sampling-decision');
/** Set on a context whose remote parent asked for debug (`b3: …-d`, `X-B3-Flags: 1`). */
export const DEBUG_KEY = createContextKey('stratus.tracing.debug');

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * Spring's (Brave's) sampling: a parent's decision is followed, so one trace is sampled
 * everywhere or nowhere; a new trace, or a parent that deferred, is sampled with
 * `management.tracing.sampling.probability`; debug always samples.
 */
export class ProbabilitySampler implements Sampler {
  readonly #ratio: Sampler;
  readonly #probability: number;

  constructor(probability: number) {
    this.#probability = probability;
    this.#ratio = new TraceIdRatioBasedSampler(probability);
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
  ): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && isSpanContextValid(parent)) {
      if (parent.isRemote) {
        if (context.getValue(DEBUG_KEY) === true) return SAMPLED;
        if (context.getValue(DEFERRED_SAMPLING_KEY) === true)
          return this.#byRatio(context, traceId, spanName, spanKind);
      }
      return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED : DROPPED;
    }
    const decision = context.getValue(SAMPLING_DECISION_KEY);
    if (decision === true) return SAMPLED;
    if (decision === false) return DROPPED;
    return this.#byRatio(context, traceId, spanName, spanKind);
  }

  #byRatio(context: Context, traceId: string, spanName: string, spanKind: SpanKind) {
    if (this.#probability >= 1) return SAMPLED;
    if (this.#probability <= 0) return DROPPED;
    return this.#ratio.shouldSample(context, traceId, spanName, spanKind, {}, []);
  }

  toString(): string {
    return `ProbabilitySampler{${this.#probability}}`;
  }
}
