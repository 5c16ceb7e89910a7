import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry } from '../registry.js';
import { renderDashboard, SELF_PRESERVATION_BANNER } from './dashboard.js';
import { DASHBOARD_APPS_PER_PAGE, DASHBOARD_LINKS_PER_STATUS } from './dashboard-applications.js';
import { escapeHtml } from './html.js';

test('the dashboard lists apps and instances with status-page links and escapes everything', () => {
  const registry = createEurekaRegistry({
    clock: createManualClock(0),
    evictionIntervalMs: 0,
    enableSelfPreservation: false,
  });
  registry.register(sampleInstance({ app: 'SHOP', instanceId: '<script>alert(1)</script>' }));
  registry.register(
    sampleInstance({ app: 'SHOP', instanceId: 'evil', statusPageUrl: 'javascript:alert(1)' }),
  );
  const html = renderDashboard(registry, { title: 'Reg & <Co>', nowMs: 0 });
  assert.match(html, /<h1>Reg &#38; &#60;Co&#62;<\/h1>/);
  assert.match(html, /<b>SHOP<\/b>/);
  assert.match(html, /<b>UP<\/b> \(2\)/);
  assert.match(
    html,
    /<a href="http:\/\/host:8080\/actuator\/info" rel="noopener noreferrer">&#60;script&#62;/,
  );
  assert.doesNotMatch(html, /<script>|javascript:/);
  assert.match(html, /SELF PRESERVATION MODE IS TURNED OFF/);
});

test('the dashboard shows the EMERGENCY banner while self-preservation blocks eviction', () => {
  const registry = createEurekaRegistry({ clock: createManualClock(0), evictionIntervalMs: 0 });
  registry.register(sampleInstance());
  const html = renderDashboard(registry, { nowMs: 0 });
  assert.ok(html.includes(escapeHtml(SELF_PRESERVATION_BANNER)));
  assert.match(html, /EMERGENCY! EUREKA MAY BE INCORRECTLY CLAIMING INSTANCES ARE UP/);
});

test('an empty registry says so', () => {
  const registry = createEurekaRegistry({ evictionIntervalMs: 0 });
  assert.match(renderDashboard(registry), /No instances available/);
});

test('at 10 000 instances the dashboard is a summary: counts per status, a few links, pages of applications', () => {
  const registry = createEurekaRegistry({ clock: createManualClock(0), evictionIntervalMs: 0 });
  for (let i = 0; i < 10_000; i++)
    registry.register(
      sampleInstance({
        app: `APP-${i % 120}`,
        instanceId: `host-${i}`,
        status: i % 100 === 0 ? 'DOWN' : 'UP',
        port: { port: 10_000 + i, enabled: true },
      }),
    );
  const html = renderDashboard(registry, { nowMs: 0 });
  assert.ok(html.length < 100_000, `${html.length} characters`);
  const links = html.match(/<a href=/g) ?? [];
  assert.ok(links.length <= DASHBOARD_APPS_PER_PAGE * 2 * DASHBOARD_LINKS_PER_STATUS + 2);
  assert.match(html, /<b>APP-0<\/b><\/td><td>84<\/td>/);
  // APP-0 holds i = 0, 120, …: DOWN where i is a multiple of 600 (17 of 84), listed first.
  assert.match(
    html,
    /<b>DOWN<\/b> \(17\) - [^<]*(<a [^>]*>[^<]*<\/a>, ){4}<a [^>]*>[^<]*<\/a> and 12 more<br><b>UP<\/b> \(67\) - .* and 62 more/,
  );
  assert.match(
    html,
    /Applications 1–50 of 120 \(page 1 of 3\): previous <a href="\?page=2">next<\/a>/,
  );
  assert.doesNotMatch(html, /<b>APP-50<\/b>/);

  const last = renderDashboard(registry, { nowMs: 0, page: 3 });
  assert.match(last, /<b>APP-119<\/b>/);
  assert.match(
    last,
    /Applications 101–120 of 120 \(page 3 of 3\): <a href="\?page=2">previous<\/a> next/,
  );
  assert.equal(
    renderDashboard(registry, { nowMs: 0, page: 99 }),
    last,
    'past the end: the last page',
  );
});
