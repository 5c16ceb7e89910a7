import type { PeerEndpoint } from '../../replication-types.js';

/** Parses one `defaultZone` entry; `null` when it is not an absolute http(s) URL. */
export function parsePeerUrl(raw: string): PeerEndpoint | null {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const username = parsed.username === '' ? null : decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const authorization =
    username === null
      ? null
      : `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`;
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return {
    url: parsed.href,
    authorization,
    host: parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
    port,
    username,
  };
}

/** What identifies this server among the `defaultZone` URLs. */
export interface SelfIdentity {
  /** `stratus.registry.self-url`: when set, a peer equal to it (host, port and path) is this server. */
  readonly selfUrl?: string | undefined;
  /** `server.port` (0 means unknown: no peer is matched by port). */
  readonly port: number;
  /** Host names and addresses this server answers to (bound address, advertised host/IP, `localhost`…). */
  readonly hosts: readonly string[];
}

/**
 * The peers of this server: every `defaultZone` entry (comma list or
 * YAML list) that parses, de-duplicated, minus this server itself (same
 * host:port, or equal to `selfUrl`). Unparseable entries are returned in `invalid`.
 */
export function resolvePeers(
  defaultZone: readonly string[],
  self: SelfIdentity,
): { peers: PeerEndpoint[]; invalid: string[] } {
  const invalid: string[] = [];
  const peers: PeerEndpoint[] = [];
  const selfEndpoint = self.selfUrl === undefined ? null : parsePeerUrl(self.selfUrl);
  const hosts = new Set(self.hosts.map((host) => host.toLowerCase()));
  const seen = new Set<string>();
  for (const raw of defaultZone.flatMap((entry) => entry.split(','))) {
    if (raw.trim() === '') continue;
    const peer = parsePeerUrl(raw);
    if (peer === null) {
      invalid.push(raw.trim().replace(/\/\/[^@/]*@/, '//***@'));
      continue;
    }
    const isSelf =
      selfEndpoint !== null
        ? selfEndpoint.url === peer.url
        : self.port > 0 && peer.port === self.port && hosts.has(peer.host);
    if (isSelf || seen.has(peer.url)) continue;
    seen.add(peer.url);
    peers.push(peer);
  }
  return { peers, invalid };
}
