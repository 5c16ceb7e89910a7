/** Micrometer's `outcome` tag (`HttpOutcome` / `Outcome.forStatus`). */
export function outcomeOf(status: number): string {
  if (status >= 100 && status < 200) return 'INFORMATIONAL';
  if (status >= 200 && status < 300) return 'SUCCESS';
  if (status >= 300 && status < 400) return 'REDIRECTION';
  if (status >= 400 && status < 500) return 'CLIENT_ERROR';
  if (status >= 500 && status < 600) return 'SERVER_ERROR';
  return 'UNKNOWN';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']);

/** The `method` tag: one of Spring's `HttpMethod` values, else `UNKNOWN` (bounded cardinality). */
export function methodTagOf(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : 'UNKNOWN';
}

/** The path of a request target without its query (the `http.url` tag; queries may hold secrets). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
