import { request as httpRequest } from 'node:http';

/** What {@link rawRequest} received. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * An HTTP request to 127.0.0.1 whose path is sent byte for byte — no URL normalization, so
 * hostile paths (`/..%252F..%252Fetc%252Fpasswd`) reach the server as written.
 *
 * @example
 * const res = await rawRequest(port, 'GET', '/foo/default/..%252F..%252Fetc');
 * assert.equal(res.status, 400);
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
