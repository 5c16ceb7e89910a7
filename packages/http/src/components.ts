import type { RetryConfigInput } from '@stratus/resilience';
import type { ErrorDecoder } from './error-decoder.js';
import type { RequestInterceptor } from './interceptors.js';

/** Components that configuration names by class, as Spring resolves bean classes. */
export interface NamedComponents {
  /** For `…client.config.<name>.error-decoder`. */
  readonly errorDecoders?: Readonly<Record<string, ErrorDecoder>>;
  /** For `…client.config.<name>.request-interceptors[i]`. */
  readonly requestInterceptors?: Readonly<Record<string, RequestInterceptor>>;
  /** For `…client.config.<name>.retryer`, besides `feign.Retryer.Default` and `NEVER_RETRY`. */
  readonly retryers?: Readonly<Record<string, RetryConfigInput>>;
}
