import type { Clock } from '@stratus/core';
import {
  findTextProblem,
  parseInstance,
  type InstanceInfo,
  type JsonObject,
} from '@stratus/discovery';

/** Reads an instance a peer sent; null when it would be refused over HTTP. */
export type PeerInstanceReader = (raw: JsonObject, app: string) => InstanceInfo | null;

/**
 * A peer's instances get the rules of the HTTP bodies (XML 1.0 characters, Eureka's register
 * checks): an older or foreign peer may hold what this server would refuse.
 */
export function createPeerInstanceReader(clock: Clock): PeerInstanceReader {
  return (raw, app) => {
    if (findTextProblem(raw) !== null) return null;
    const parsed = parseInstance(raw, app, clock.now());
    return parsed.ok ? parsed.instance : null;
  };
}
