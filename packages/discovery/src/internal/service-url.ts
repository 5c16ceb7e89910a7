import { Secret } from '@stratus/core';

/** A registry base URL without credentials, plus its Basic auth header if it had userinfo. */
export interface ServiceUrl {
  /** Ends with `/`, e.g. `http://localhost:8761/eureka/`. Safe to log. */
  readonly base: string;
  readonly authorization: Secret | null;
}

/** Parses one `defaultZone` entry; `null` when it is not an http(s) URL. */
export function parseServiceUrl(raw: string): ServiceUrl | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  let authorization: Secret | null = null;
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = new Secret(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    url.username = '';
    url.password = '';
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { base: url.href, authorization };
}

/** Encodes an instance id for a path segment, leaving `:` unencoded as Spring does. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replaceAll('%3A', ':');
}
