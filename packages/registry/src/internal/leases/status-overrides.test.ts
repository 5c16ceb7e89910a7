import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstanceStatus } from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';
import { resolveStatus } from './status-overrides.js';

const instance = (status: InstanceStatus) => sampleInstance({ status });

test('the stored status follows Eureka first-match-wins rule chain', () => {
  const rows: Array<
    [
      InstanceStatus,
      InstanceStatus | undefined,
      InstanceStatus | undefined,
      boolean,
      InstanceStatus,
    ]
  > = [
    // registrant, override, existing lease status, isReplication → stored
    ['DOWN', 'UP', 'UP', false, 'DOWN'], // DownOrStartingRule
    ['STARTING', 'OUT_OF_SERVICE', undefined, false, 'STARTING'],
    ['UP', 'OUT_OF_SERVICE', 'UP', false, 'OUT_OF_SERVICE'], // OverrideExistsRule
    ['UP', undefined, 'OUT_OF_SERVICE', false, 'OUT_OF_SERVICE'], // LeaseExistsRule
    ['UP', undefined, 'OUT_OF_SERVICE', true, 'UP'], // … not for replication
    ['UP', undefined, 'DOWN', false, 'UP'], // AlwaysMatchInstanceStatusRule
    ['OUT_OF_SERVICE', undefined, undefined, false, 'OUT_OF_SERVICE'],
  ];
  for (const [registrant, override, existing, isReplication, expected] of rows) {
    assert.equal(
      resolveStatus(
        instance(registrant),
        override,
        existing === undefined ? undefined : instance(existing),
        isReplication,
      ),
      expected,
      `${registrant} / ${override} / ${existing} / ${isReplication}`,
    );
  }
});
