import type { Clock, Logger } from '@stratus/core';
import type { ChangeFeed } from './change-feed.js';
import type { DeltaQueue } from './delta-queue.js';
import type { LeaseSettings } from './lease-settings.js';
import type { LeaseTable } from './lease-table.js';
import type { ReadModel } from './read-model.js';
import type { SelfPreservation } from './self-preservation.js';
import type { StatusOverrides } from './status-overrides.js';

/** The parts of one lease registry, shared by its writer, reader and evictor. */
export interface RegistryState {
  readonly clock: Clock;
  readonly log: Logger;
  /** The settings in force (they change on `reconfigure`). */
  readonly settings: () => LeaseSettings;
  readonly table: LeaseTable;
  readonly overrides: StatusOverrides;
  readonly preservation: SelfPreservation;
  readonly deltas: DeltaQueue;
  readonly feed: ChangeFeed;
  /** What reads return; every visible change must touch its application. */
  readonly views: ReadModel;
}
