// One process of a bus fleet (bus-fleet.ts): `count` Stratus applications on the bus, each
// reporting on stdout, one JSON line at a time, when it is ready and when a bus event changed
// its configuration. It closes its applications and exits on SIGTERM or when stdin ends (the
// parent is gone), so no process outlives the test or benchmark that started it.
import { createApplication, type Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';

/** What the parent passes as the only argument (JSON). */
export interface FleetWorkerConfig {
  name: string;
  count: number;
  baseDir: string;
  /** Spring-style flags every application gets. */
  argv: string[];
  /** The key whose value each `applied` line reports. */
  watchKey: string;
}

/** The lines a worker prints. */
export type FleetLine =
  | { kind: 'ready'; busId: string; port: number }
  | {
      kind: 'applied';
      busId: string;
      eventId: string;
      at: number;
      value: string | null;
      changed: readonly string[];
    }
  | { kind: 'error'; message: string };

const print = (line: FleetLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as FleetWorkerConfig;
  const apps: Application[] = [];
  let closing: Promise<void> | null = null;
  const stop = () => {
    closing ??= Promise.allSettled(apps.map((app) => app.close())).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
  await Promise.all(
    Array.from({ length: config.count }, async () => {
      const app = await createApplication({
        name: config.name,
        baseDir: config.baseDir,
        argv: ['--server.port=0', '--server.address=127.0.0.1', ...config.argv],
        env: {},
        logger: createSilentLogger(),
      });
      apps.push(app);
      await app.start();
      const bus = app.bus!;
      bus.observe((activity) => {
        if (activity.kind !== 'applied') return;
        const value = app.config.getString(config.watchKey) ?? null;
        print({
          kind: 'applied',
          busId: bus.id,
          eventId: activity.event.id,
          at: Date.now(),
          value,
          changed: activity.changed,
        });
      });
      print({ kind: 'ready', busId: bus.id, port: app.port });
    }),
  );
}

main().catch((error: unknown) => {
  print({ kind: 'error', message: (error as Error).message });
  process.exit(1);
});
