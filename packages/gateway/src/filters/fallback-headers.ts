import { headerNameArg } from '../internal/header-args.js';
import { EXECUTION_EXCEPTION_ATTR } from '../internal/internal-forward.js';
import { javaExceptionName, rootCauseOf } from '../internal/java-exception-names.js';
import type { FilterFactory } from '../internal/types.js';

const headerSafe = (text: string): string => text.replace(/[^\t\x20-\x7e]/g, ' ').slice(0, 512);

/**
 * `FallbackHeaders` on the fallback route — when the request was forwarded by a
 * CircuitBreaker's `fallbackUri`, adds `Execution-Exception-Type`, `Execution-Exception-Message`,
 * `Root-Cause-Exception-Type` and `Root-Cause-Exception-Message` (names configurable) for the
 * failure, with Java-style type names (`java.util.concurrent.TimeoutException`).
 */
export const fallbackHeadersFilterFactory: FilterFactory = {
  name: 'FallbackHeaders',
  shortcutFieldOrder: [],
  extraFields: [
    'executionExceptionTypeHeaderName',
    'executionExceptionMessageHeaderName',
    'rootCauseExceptionTypeHeaderName',
    'rootCauseExceptionMessageHeaderName',
  ],
  create(args) {
    const header = (field: string, fallback: string): string =>
      args.has(field) ? headerNameArg(args, field) : fallback.toLowerCase();
    const typeHeader = header('executionExceptionTypeHeaderName', 'Execution-Exception-Type');
    const messageHeader = header(
      'executionExceptionMessageHeaderName',
      'Execution-Exception-Message',
    );
    const rootTypeHeader = header('rootCauseExceptionTypeHeaderName', 'Root-Cause-Exception-Type');
    const rootMessageHeader = header(
      'rootCauseExceptionMessageHeaderName',
      'Root-Cause-Exception-Message',
    );
    return {
      pre(exchange) {
        const error = exchange.attributes.get(EXECUTION_EXCEPTION_ATTR);
        if (error === undefined || error === null) return;
        const headers = exchange.requestHeaders;
        headers[typeHeader] = javaExceptionName(error);
        headers[messageHeader] = headerSafe((error as Error).message ?? '');
        const root = rootCauseOf(error);
        headers[rootTypeHeader] = javaExceptionName(root);
        headers[rootMessageHeader] = headerSafe((root as Error).message ?? '');
      },
    };
  },
};
