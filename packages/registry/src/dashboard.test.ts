import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createEurekaRegistry } from './registry.js';
import { renderDashboard, SELF_PRESERVATION_BANNER, escapeHtml } from './dashboard.js';
import { sampleInstance } from './internal/fixtures.js';

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
