import type { EurekaRegistry } from '../registry-types.js';
import type { PeerStatus } from '../replication-types.js';
import { applicationRows } from './dashboard-applications.js';
import { escapeHtml } from './html.js';

/** Facts about the server shown at the top of the dashboard. */
export interface DashboardInfo {
  /** @default 'Stratus Registry' */
  title?: string;
  /** @default 'test' (Eureka's default `eureka.environment`) */
  environment?: string;
  /** @default 'default' */
  dataCenter?: string;
  /** Epoch ms used as "current time". @default Date.now() */
  nowMs?: number;
  /** Process start (epoch ms), for the uptime line. */
  startedAtMs?: number;
  /** Replication peers and their health (the "DS Replicas" section). @default [] */
  replicas?: readonly PeerStatus[];
  /** Whether GETs are served from the read-only response cache. */
  readOnlyResponseCache?: boolean;
  /** The page of applications to list, from 1. @default 1 */
  page?: number;
}

/** The text Spring's dashboard shows while self-preservation blocks eviction. */
export const SELF_PRESERVATION_BANNER =
  "EMERGENCY! EUREKA MAY BE INCORRECTLY CLAIMING INSTANCES ARE UP WHEN THEY'RE NOT. " +
  'RENEWALS ARE LESSER THAN THRESHOLD AND HENCE THE INSTANCES ARE NOT BEING EXPIRED JUST TO BE SAFE.';

const SELF_PRESERVATION_OFF_BANNER =
  'THE SELF PRESERVATION MODE IS TURNED OFF. THIS MAY NOT PROTECT INSTANCE EXPIRY IN CASE OF NETWORK/OTHER PROBLEMS.';

function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Renders a small server-side HTML page in the spirit of Eureka's dashboard: system status,
 * the self-preservation banner, and the applications with their instances grouped by status,
 * summarised and paged so it stays small at 10 000 instances (see dashboard-applications).
 * Every value is HTML-escaped; only http(s) links are rendered.
 */
export function renderDashboard(registry: EurekaRegistry, info: DashboardInfo = {}): string {
  const now = info.nowMs ?? Date.now();
  const stats = registry.stats();
  const title = escapeHtml(info.title ?? 'Stratus Registry');
  let banner = '';
  if (!stats.isSelfPreservationEnabled) banner = SELF_PRESERVATION_OFF_BANNER;
  else if (!stats.isLeaseExpirationEnabled) banner = SELF_PRESERVATION_BANNER;

  const { rows, pager } = applicationRows(registry.getApplications(), info.page ?? 1);
  const replicas = info.replicas ?? [];
  const time = (ms: number): string => (ms === 0 ? 'never' : new Date(ms).toISOString());
  const replicaRows = replicas.map(
    (peer) =>
      `<tr><td>${escapeHtml(peer.url)}</td><td>${peer.isHealthy ? 'UP' : '<b>FAILING</b>'}</td>` +
      `<td>${escapeHtml(time(peer.lastSuccessMs))}</td>` +
      `<td>${escapeHtml(peer.lastError ?? '')}</td><td>${peer.queued}</td><td>${peer.dropped}</td>` +
      `<td>${peer.syncedInstances === null ? 'no' : `yes (${peer.syncedInstances})`}</td></tr>`,
  );

  const status: [string, string | number][] = [
    ['Environment', info.environment ?? 'test'],
    ['Data center', info.dataCenter ?? 'default'],
    ['Current time', new Date(now).toISOString()],
    ...(info.startedAtMs === undefined
      ? []
      : ([['Uptime', formatUptime(now - info.startedAtMs)]] as [string, string][])),
    ['Lease expiration enabled', String(stats.isLeaseExpirationEnabled)],
    ['Renews threshold', stats.renewsPerMinThreshold],
    ['Renews (last min)', stats.renewsLastMin],
    ['Registered instances', stats.registeredInstances],
    ['Expected clients sending renews', stats.expectedClientsSendingRenews],
    ['Self-preservation enabled', String(stats.isSelfPreservationEnabled)],
    ['Registry reads allowed', String(stats.isAccessAllowed)],
    ...(info.readOnlyResponseCache === undefined
      ? []
      : ([['Read-only response cache', String(info.readOnlyResponseCache)]] as [string, string][])),
  ];

  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}' +
      'td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}' +
      '.banner{color:#b00;font-weight:bold;margin:1em 0}</style></head><body>',
    `<h1>${title}</h1>`,
    banner === '' ? '' : `<p class="banner">${escapeHtml(banner)}</p>`,
    '<h2>System Status</h2><table>',
    ...status.map(
      ([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    '<h2>DS Replicas</h2>',
    '<table><tr><th>Peer</th><th>Replication</th><th>Last success</th><th>Last error</th>' +
      '<th>Queued</th><th>Dropped</th><th>Start-up sync</th></tr>',
    replicaRows.length === 0
      ? '<tr><td colspan="7">No peers (standalone)</td></tr>'
      : replicaRows.join(''),
    '</table>',
    '<h2>Instances currently registered with Eureka</h2>',
    pager,
    '<table><tr><th>Application</th><th>Instances</th><th>Data centers</th><th>Status</th></tr>',
    rows.length === 0 ? '<tr><td colspan="4">No instances available</td></tr>' : rows.join(''),
    '</table>',
    pager,
    '</body></html>',
  ].join('\n');
}
