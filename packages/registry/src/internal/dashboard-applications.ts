import {
  instanceIdOf,
  type Applications,
  type InstanceInfo,
  type InstanceStatus,
} from '@stratus/discovery';
import { escapeHtml, safeHref } from './html.js';

/** Applications per dashboard page. */
export const DASHBOARD_APPS_PER_PAGE = 50;
/** Instance links shown per application and status; the rest are counted. */
export const DASHBOARD_LINKS_PER_STATUS = 5;

function instanceLink(instance: InstanceInfo): string {
  const id = escapeHtml(instanceIdOf(instance));
  const href = safeHref(instance.statusPageUrl);
  return href === null ? id : `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${id}</a>`;
}

function statusCell(status: InstanceStatus, instances: readonly InstanceInfo[]): string {
  const shown = instances.slice(0, DASHBOARD_LINKS_PER_STATUS).map(instanceLink).join(', ');
  const more = instances.length - DASHBOARD_LINKS_PER_STATUS;
  return (
    `<b>${escapeHtml(status)}</b> (${instances.length}) - ${shown}` +
    (more > 0 ? ` and ${more} more` : '')
  );
}

/**
 * One page of application rows: per status the count and the first few instance links, so a
 * page stays a few dozen KB whatever the fleet (Eureka's dashboard lists every instance, which
 * at 10 000 instances is megabytes). `pager` is empty when everything fits on one page.
 */
export function applicationRows(
  applications: Applications,
  page: number,
): { rows: string[]; pager: string } {
  const all = applications.applications;
  const pages = Math.max(1, Math.ceil(all.length / DASHBOARD_APPS_PER_PAGE));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const from = (current - 1) * DASHBOARD_APPS_PER_PAGE;
  const rows = all.slice(from, from + DASHBOARD_APPS_PER_PAGE).map((application) => {
    const byStatus = new Map<InstanceStatus, InstanceInfo[]>();
    for (const instance of application.instances) {
      const list = byStatus.get(instance.status);
      if (list === undefined) byStatus.set(instance.status, [instance]);
      else list.push(instance);
    }
    const cells = [...byStatus].map(([status, list]) => statusCell(status, list)).join('<br>');
    const zones = new Set(application.instances.map((i) => i.dataCenterInfo.name));
    return (
      `<tr><td><b>${escapeHtml(application.name)}</b></td><td>${application.instances.length}</td>` +
      `<td>${[...zones].map(escapeHtml).join(', ')}</td><td>${cells}</td></tr>`
    );
  });
  if (pages === 1) return { rows, pager: '' };
  const link = (to: number, text: string) =>
    to < 1 || to > pages ? text : `<a href="?page=${to}">${text}</a>`;
  const pager =
    `<p>Applications ${from + 1}–${from + rows.length} of ${all.length} (page ${current} of ` +
    `${pages}): ${link(current - 1, 'previous')} ${link(current + 1, 'next')}</p>`;
  return { rows, pager };
}
