import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * Every error code the gateway produces, with its HTTP status and title.
 * A shipped code is never reused for another meaning.
 */
export const GATEWAY_ERRORS = Object.freeze({
  /** A route definition failed validation; `details.problems` lists every problem. */
  GW_ERR_INVALID_ROUTE: { status: 400, title: 'Invalid route definition' },
  /** `registerGateway` options are invalid. */
  GW_ERR_INVALID_OPTIONS: { status: 500, title: 'Invalid gateway options' },
  /** No route matched the request. */
  GW_ERR_NO_ROUTE: { status: 404, title: 'No route matches the request' },
  /** The request target is not an acceptable origin-form path (encoded slash, `..` above root, `;`…). */
  GW_ERR_INVALID_PATH: { status: 400, title: 'Request path is not acceptable' },
  /** A header the gateway would send contains characters not allowed in a header. */
  GW_ERR_INVALID_HEADER: { status: 400, title: 'Request header is not acceptable' },
  /** Missing, malformed, forged or expired bearer token. */
  GW_ERR_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** The request body is larger than the route allows. */
  GW_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  /** `lb://` service has no instance available. */
  GW_ERR_NO_INSTANCE: { status: 503, title: 'No instance available for the service' },
  /** The upstream refused or could not be connected to in time. */
  GW_ERR_UPSTREAM_UNAVAILABLE: { status: 503, title: 'Upstream unavailable' },
  /** The upstream did not answer within the response timeout. */
  GW_ERR_UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timed out' },
  /** The upstream connection failed after it was established (reset, protocol error). */
  GW_ERR_BAD_GATEWAY: { status: 502, title: 'Bad gateway' },
} as const);

/** One of the codes in {@link GATEWAY_ERRORS}. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** Options of {@link GatewayError}: the usual ones plus response headers to send with the problem. */
export interface GatewayErrorOptions extends StratusErrorOptions {
  /** Extra response headers, e.g. `WWW-Authenticate` on 401. */
  headers?: Readonly<Record<string, string>>;
  /** Close the client connection after the problem response (used on 413). */
  closeConnection?: boolean;
}

/** A gateway error: status and title come from {@link GATEWAY_ERRORS}. */
export class GatewayError extends StratusError {
  /** Extra headers written with the problem response. */
  readonly headers: Readonly<Record<string, string>>;
  /** True when the client connection must be closed after the response. */
  readonly closeConnection: boolean;
  constructor(code: GatewayErrorCode, options: GatewayErrorOptions = {}) {
    const entry = GATEWAY_ERRORS[code];
    super(code, entry.status, entry.title, options);
    this.name = 'GatewayError';
    this.headers = options.headers ?? {};
    this.closeConnection = options.closeConnection ?? false;
  }
}

/**
 * Thrown once when route definitions are invalid (`GW_ERR_INVALID_ROUTE`);
 * `problems` (also in `details.problems`) lists every problem found.
 */
export class InvalidRouteDefinitionError extends GatewayError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super('GW_ERR_INVALID_ROUTE', {
      message: `Invalid gateway route definitions: ${problems.join('; ')}`,
      details: { problems: [...problems] },
    });
    this.name = 'InvalidRouteDefinitionError';
    this.problems = Object.freeze([...problems]);
  }
}
