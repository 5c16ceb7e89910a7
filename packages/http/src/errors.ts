import { StratusError, type StratusErrorOptions } from '@stratus/core';

/** HTTP_ERR_NO_INSTANCE → 503: `lb://` named a service with no UP instance. */
export class NoInstanceError extends StratusError {
  constructor(serviceId: string, options: StratusErrorOptions = {}) {
    super('HTTP_ERR_NO_INSTANCE', 503, 'No instance available', {
      ...options,
      message: `No UP instance of '${serviceId}' is registered`,
      details: { serviceId },
      retryable: true,
    });
  }
}

/** HTTP_ERR_UPSTREAM_UNAVAILABLE → 503: the call could not be made (refused, reset). */
export class UpstreamUnavailableError extends StratusError {
  constructor(target: string, options: StratusErrorOptions = {}) {
    super('HTTP_ERR_UPSTREAM_UNAVAILABLE', 503, 'Upstream unavailable', {
      ...options,
      message: `Could not reach ${target}`,
      details: { target },
      retryable: true,
    });
  }
}

/** HTTP_ERR_TIMEOUT → 504: no response within the timeout. */
export class UpstreamTimeoutError extends StratusError {
  constructor(target: string, timeoutMs: number, options: StratusErrorOptions = {}) {
    super('HTTP_ERR_TIMEOUT', 504, 'Upstream timeout', {
      ...options,
      message: `${target} did not answer within ${timeoutMs} ms`,
      details: { target, timeoutMs },
      retryable: true,
    });
  }
}

/** HTTP_ERR_STATUS → the upstream's status class: a non-2xx answer, body never echoed. */
export class UpstreamStatusError extends StratusError {
  readonly status: number;
  constructor(target: string, status: number) {
    super('HTTP_ERR_STATUS', status >= 500 ? 502 : status, 'Upstream error', {
      message: `${target} answered ${status}`,
      details: { target, upstreamStatus: status },
      retryable: status >= 500,
    });
    this.status = status;
  }
}
