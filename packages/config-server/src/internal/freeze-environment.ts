import type { Environment } from '../environment.js';

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** Freezes `environment` and everything in it: a cached environment is shared by requests. */
export function freezeEnvironment(environment: Environment): Environment {
  deepFreeze(environment);
  return environment;
}
