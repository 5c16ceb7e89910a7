/** One HTTP exchange with a peer. */
export interface TransportRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** A peer's answer; the body as text. */
export interface TransportResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one request to a peer; rejects on network errors and timeouts. */
export type ReplicationTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** Default transport: `fetch` with a timeout. */
export const fetchTransport: ReplicationTransport = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  return { status: response.status, body: await response.text() };
};
