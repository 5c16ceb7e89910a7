import type { RouteTarget } from './types.js';

const LB = /^lb:(?:ws:|wss:)?\/\/([A-Za-z0-9][A-Za-z0-9._-]*)(?:\/[^\s]*)?$/i;
const FORWARD = /^forward:(\/[^\s?#]*)$/;
const SCHEMES: Readonly<Record<string, string>> = {
  'http:': 'http:',
  'https:': 'https:',
  'ws:': 'http:',
  'wss:': 'https:',
};

/**
 * Parses a route `uri`: `lb://SERVICE-ID` (also `lb:ws://`), `http(s)://host:port`,
 * `ws(s)://host:port` (proxied over HTTP/1.1, upgraded when the client asks), `forward:/path`
 * (dispatched to this gateway) or `no://op` (nothing called). Credentials in the uri are refused.
 *
 * @returns the target, or a problem message.
 */
export function parseRouteTarget(uri: string): RouteTarget | string {
  const lb = LB.exec(uri);
  if (lb) return { kind: 'lb', serviceId: lb[1] as string };
  if (/^lb:/i.test(uri)) return `uri ${JSON.stringify(uri)} is not a valid lb://SERVICE-ID uri`;
  if (uri === 'no://op') return { kind: 'none' };
  const forward = FORWARD.exec(uri);
  if (forward) return { kind: 'forward', path: forward[1] as string };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `uri ${JSON.stringify(uri)} is not a valid uri`;
  }
  const protocol = SCHEMES[url.protocol];
  if (protocol === undefined)
    return `uri ${JSON.stringify(uri)} must use lb, http, https, ws, wss, forward or no://op`;
  if (url.username !== '' || url.password !== '')
    return `uri ${JSON.stringify(uri)} must not contain credentials`;
  if (url.hostname === '') return `uri ${JSON.stringify(uri)} has no host`;
  return { kind: 'direct', origin: `${protocol}//${url.host}` };
}
