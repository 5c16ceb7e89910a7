// The config server's /monitor → a bus refresh → 20 Stratus instances (4 processes × 5
// applications) on the embedded log, all reading their configuration from that config server.
import { test } from 'node:test';
import { assertMonitorRefreshReachesFleet, startFleet } from './bus-fleet.js';

void test(
  'a change announced to /monitor reaches 20 instances on the embedded log, each refreshing and acking once',
  { timeout: 180_000 },
  async (t) => {
    const fleet = await startFleet({ transport: 'embedded', processes: 4, perProcess: 5 });
    t.after(() => fleet.close());
    await assertMonitorRefreshReachesFleet(fleet, 20);
  },
);
