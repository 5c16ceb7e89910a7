import type { ProcessSpec } from '../manifest.js';

/** A `depends-on` cycle as the names along it (first = last), or null. */
export function findCycle(processes: readonly ProcessSpec[]): string[] | null {
  const byName = new Map(processes.map((p) => [p.name, p]));
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...trail.slice(trail.indexOf(name)), name];
    state.set(name, 'visiting');
    trail.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(name, 'done');
    return null;
  };
  for (const process of processes) {
    const cycle = visit(process.name);
    if (cycle) return cycle;
  }
  return null;
}

/** Fixed ports used twice, or by a process with several instances. */
export function portProblems(
  processes: readonly ProcessSpec[],
): Array<{ process: string; message: string }> {
  const problems: Array<{ process: string; message: string }> = [];
  const owners = new Map<number, string>();
  for (const spec of processes) {
    if (spec.port === null || spec.port === 0) continue;
    const owner = owners.get(spec.port);
    if (owner !== undefined)
      problems.push({
        process: spec.name,
        message: `expected a port of its own, ${spec.port} is also ${owner}'s`,
      });
    else owners.set(spec.port, spec.name);
    if (spec.instances > 1)
      problems.push({
        process: spec.name,
        message: `expected port 0 with instances: ${spec.instances} (each instance needs its own port), got ${spec.port}`,
      });
  }
  return problems;
}

/** `names` and everything they depend on, transitively, in manifest order. */
export function withDependencies(
  processes: readonly ProcessSpec[],
  names: readonly string[],
): ProcessSpec[] {
  const byName = new Map(processes.map((p) => [p.name, p]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) add(dependency);
  };
  names.forEach(add);
  return processes.filter((p) => wanted.has(p.name));
}

/** The processes that depend on `name`, directly. */
export function dependentsOf(processes: readonly ProcessSpec[], name: string): ProcessSpec[] {
  return processes.filter((p) => p.dependsOn.includes(name));
}
