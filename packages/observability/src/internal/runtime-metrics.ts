import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/** A meter this module adds, as `/actuator/metrics` lists it. */
export interface RuntimeMeter {
  readonly name: string;
  readonly promName: string;
  readonly description: string;
  readonly baseUnit: string | null;
  readonly kind: 'gauge' | 'counter';
}

function openFiles(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return Number.NaN;
  }
}

function maxFiles(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /Max open files\s+(\d+)/.exec(limits);
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function systemCpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

type ReadMeter = RuntimeMeter & { read: () => number };

/** Micrometer's process and system meters, each with how to read it now. */
function micrometerMeters(): ReadMeter[] {
  const cpuCount = availableParallelism();
  let lastProcess = { usage: process.cpuUsage(), at: process.hrtime.bigint() };
  let lastSystem = systemCpuTimes();
  const max = maxFiles();
  return [
    {
      name: 'process.cpu.usage',
      promName: 'process_cpu_usage',
      description: 'The "recent cpu usage" for the process, 0 to 1 of all CPUs',
      baseUnit: null,
      kind: 'gauge',
      read: () => {
        const now = { usage: process.cpuUsage(), at: process.hrtime.bigint() };
        const cpuMicros =
          now.usage.user - lastProcess.usage.user + (now.usage.system - lastProcess.usage.system);
        const wallMicros = Number(now.at - lastProcess.at) / 1000;
        lastProcess = now;
        return wallMicros > 0 ? Math.min(1, cpuMicros / (wallMicros * cpuCount)) : 0;
      },
    },
    {
      name: 'system.cpu.usage',
      promName: 'system_cpu_usage',
      description: 'The "recent cpu usage" of the system the application is running in',
      baseUnit: null,
      kind: 'gauge',
      read: () => {
        const now = systemCpuTimes();
        const total = now.total - lastSystem.total;
        const busy = total - (now.idle - lastSystem.idle);
        lastSystem = now;
        return total > 0 ? busy / total : 0;
      },
    },
    {
      name: 'system.cpu.count',
      promName: 'system_cpu_count',
      description: 'The number of processors available to the process',
      baseUnit: null,
      kind: 'gauge',
      read: () => cpuCount,
    },
    {
      name: 'system.load.average.1m',
      promName: 'system_load_average_1m',
      description: 'The sum of runnable entities queued and running, averaged over a minute',
      baseUnit: null,
      kind: 'gauge',
      read: () => loadavg()[0] ?? 0,
    },
    {
      name: 'process.uptime',
      promName: 'process_uptime_seconds',
      description: 'The uptime of the process',
      baseUnit: 'seconds',
      kind: 'gauge',
      read: () => process.uptime(),
    },
    {
      name: 'process.files.open',
      promName: 'process_files_open_files',
      description: 'The open file descriptor count',
      baseUnit: 'files',
      kind: 'gauge',
      read: openFiles,
    },
    {
      name: 'process.files.max',
      promName: 'process_files_max_files',
      description: 'The maximum file descriptor count',
      baseUnit: 'files',
      kind: 'gauge',
      read: () => max,
    },
  ];
}

/**
 * Registers the runtime meters: prom-client's Node.js ones (`nodejs_eventloop_lag_seconds`,
 * `nodejs_heap_size_used_bytes`, `nodejs_gc_duration_seconds`, `nodejs_active_handles_total`,
 * `process_resident_memory_bytes`, `process_start_time_seconds`, …) beside Micrometer's
 * process and system meters with their Spring names (`process_cpu_usage`, `system_cpu_usage`,
 * `system_cpu_count`, `system_load_average_1m`, `process_uptime_seconds`,
 * `process_files_open_files`, `process_files_max_files`), so one dashboard shows Java and Node.
 */
export function registerRuntimeMetrics(registry: Registry): RuntimeMeter[] {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const meters = micrometerMeters();
  for (const meter of meters) {
    const read = meter.read;
    new Gauge({
      name: meter.promName,
      help: meter.description,
      registers: [registry],
      collect(this: Gauge) {
        const value = read();
        if (Number.isFinite(value)) this.set(value);
      },
    });
  }
  const described: RuntimeMeter[] = meters.map(({ read: _read, ...meter }) => meter);
  return described.concat([
    {
      name: 'process.start.time',
      promName: 'process_start_time_seconds',
      description: 'Start time of the process since unix epoch',
      baseUnit: 'seconds',
      kind: 'gauge',
    },
    {
      name: 'process.resident.memory',
      promName: 'process_resident_memory_bytes',
      description: 'Resident memory size',
      baseUnit: 'bytes',
      kind: 'gauge',
    },
    {
      name: 'nodejs.eventloop.lag',
      promName: 'nodejs_eventloop_lag_seconds',
      description: 'Lag of event loop',
      baseUnit: 'seconds',
      kind: 'gauge',
    },
    {
      name: 'nodejs.heap.size.used',
      promName: 'nodejs_heap_size_used_bytes',
      description: 'Process heap size used from Node.js',
      baseUnit: 'bytes',
      kind: 'gauge',
    },
    {
      name: 'nodejs.active.handles',
      promName: 'nodejs_active_handles_total',
      description: 'Total number of active handles',
      baseUnit: null,
      kind: 'gauge',
    },
  ]);
}
