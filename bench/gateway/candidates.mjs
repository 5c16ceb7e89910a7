// The proxies bench/gateway compares, each started in its own process tree on a free loopback
// port in front of the same upstream (upstream.mjs): the Stratus gateway (`stratus gateway`,
// 1 worker and the default count), nginx as an equivalent reverse proxy (keep-alive upstream
// pool, StripPrefix by proxy_pass), a bare undici stream() proxy (undici-proxy.mjs), and Spring
// Cloud Gateway (the interop fixture test/interop/spring/gateway, Boot 4.0.7 / Cloud 2025.1.4,
// built from Maven Central by test/interop/spring/build.sh). Every candidate routes /svc/** with
// StripPrefix=1; the Stratus gateway and the undici proxy also route /jwt/** through the JWT
// filter (HS512, the shop's AuthorizationHeaderFilter).
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_OPTIONS } from '../../packages/gateway/dist/index.js';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'packages/cli/bin/stratus.js');
const NGINX = '/usr/sbin/nginx';

export const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

/** Forks a script that sends `{ port }` over IPC once listening. */
function forkListening(script, args, execArgv = []) {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

/** The upstream: `/small` answers 982 bytes of JSON, `/large` 100 KiB. */
export async function startUpstream() {
  const { child, port } = await forkListening(join(HERE, 'upstream.mjs'), []);
  return { origin: `http://127.0.0.1:${port}`, pid: child.pid, stop: stopper(child) };
}

function stopper(child, signal = 'SIGTERM') {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill(signal);
    });
}

async function waitReady(url, child, timeoutMs = 240_000) {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server for ${url} exited (${child.exitCode})`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} not ready`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const stratusRoutes = (origin) => {
  const route = 'spring.cloud.gateway.server.webflux.routes';
  return [
    `--${route}[0].id=svc`,
    `--${route}[0].uri=${origin}`,
    `--${route}[0].predicates[0]=Path=/svc/**`,
    `--${route}[0].filters[0]=StripPrefix=1`,
    `--${route}[1].id=jwt`,
    `--${route}[1].uri=${origin}`,
    `--${route}[1].predicates[0]=Path=/jwt/**`,
    `--${route}[1].filters[0]=StripPrefix=1`,
    `--${route}[1].filters[1]=AuthorizationHeaderFilter`,
  ];
};

/**
 * `stratus gateway` with `workers` (null: the default, one per core). With `profileDir`, the
 * process writes a V8 CPU profile there when it stops (1 worker: the one process).
 */
export async function startStratus({
  label,
  origin,
  secret,
  workers,
  profileDir = null,
  nodeOptions = [],
  extraFlags = [],
}) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-gw-'));
  const flags = [
    'gateway',
    ...(workers === null ? [] : [`--workers=${workers}`]),
    `--server.port=${port}`,
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    '--spring.config.import=',
    '--spring.cloud.bus.enabled=false',
    // The Spring fixture has no tracing bridge: neither side traces (bench:tracing measures it).
    '--management.tracing.enabled=false',
    `--stratus.data-dir=${dataDir}`,
    '--logging.level.root=WARN',
    `--token.secret=${secret}`,
    ...stratusRoutes(origin),
    ...extraFlags,
  ];
  // Started as `stratus up` starts a gateway (its cluster workers get the same options).
  const execArgv = [
    ...GATEWAY_NODE_OPTIONS,
    ...nodeOptions,
    ...(profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
  ];
  const child = fork(CLI, flags, {
    cwd: ROOT,
    execArgv,
    env: { ...process.env, STRATUS_LAUNCHER_PID: '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/svc/small`, child);
  return { label, url, pid: child.pid, stop: removing(stopper(child), dataDir), hasJwt: true };
}

/** `stop`, then the candidate's temporary folder. */
const removing = (stop, dir) => async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
};

/** The bare undici proxy (`undici-proxy.mjs`). */
export async function startUndici({ label, origin, secret }) {
  // The gateway's Node options too, so the two compare proxy code, not heap settings.
  const { child, port } = await forkListening(
    join(HERE, 'undici-proxy.mjs'),
    [origin, secret],
    [...GATEWAY_NODE_OPTIONS],
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/svc/small`, child);
  return { label, url, pid: child.pid, stop: stopper(child), hasJwt: true };
}

/** nginx with its own prefix and configuration in a temporary folder, one worker per core. */
export async function startNginx({ label, origin }) {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-bench-nginx-'));
  const port = await freePort();
  const upstream = new URL(origin);
  const config = `
worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  upstream upstream_app {
    server ${upstream.host};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    # Enough buffer for the 100 KiB answer without temporary files.
    proxy_buffer_size 16k;
    proxy_buffers 16 16k;
    location /svc/ {
      proxy_pass http://upstream_app/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  await writeFile(join(dir, 'nginx.conf'), config);
  const child = spawn(
    NGINX,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/svc/small`, child);
  return {
    label,
    url,
    pid: child.pid,
    stop: removing(stopper(child, 'SIGQUIT'), dir),
    hasJwt: false,
  };
}

/** Spring Cloud Gateway (WebFlux) from the interop fixture, on the machine's Java with JVM defaults. */
export async function startSpring({ label, origin }) {
  const jar = execFileSync('bash', [join(ROOT, 'test/interop/spring/build.sh'), 'gateway'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
  const port = await freePort();
  const route = 'spring.cloud.gateway.server.webflux.routes[0]';
  const child = spawn(
    'java',
    [
      '-jar',
      jar,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--${route}.id=svc`,
      `--${route}.uri=${origin}`,
      `--${route}.predicates[0]=Path=/svc/**`,
      `--${route}.filters[0]=StripPrefix=1`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${url}/svc/small`, child);
  } catch (error) {
    await stopper(child)();
    throw error;
  }
  return { label, url, pid: child.pid, stop: stopper(child), hasJwt: false };
}

/** The pid and every descendant of it (a cluster's workers, nginx's workers). */
export async function processTree(pid) {
  const children = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [];
  const visit = (id) => {
    tree.push(id);
    for (const child of children.get(id) ?? []) visit(child);
  };
  visit(pid);
  return tree;
}

/** CPU seconds used so far and resident bytes of a process tree (Linux /proc). */
export async function usage(pid) {
  let cpuTicks = 0;
  let rssBytes = 0;
  // CPU per thread kind (`main` for each process's own thread, else the kernel's thread name:
  // `V8 DefaultWorke` for V8's GC and compiler threads, `libuv-worker`, …), summed over the tree.
  const threadTicks = {};
  for (const id of await processTree(pid)) {
    try {
      const stat = await readFile(`/proc/${id}/stat`, 'utf8');
      cpuTicks += ticksOf(stat);
      const status = await readFile(`/proc/${id}/status`, 'utf8');
      rssBytes += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      for (const tid of await readdir(`/proc/${id}/task`)) {
        const taskStat = await readFile(`/proc/${id}/task/${tid}/stat`, 'utf8').catch(() => null);
        if (taskStat === null) continue;
        const name =
          tid === String(id)
            ? 'main'
            : taskStat.slice(taskStat.indexOf('(') + 1, taskStat.lastIndexOf(')'));
        threadTicks[name] = (threadTicks[name] ?? 0) + ticksOf(taskStat);
      }
    } catch {
      // gone meanwhile
    }
  }
  const threadSeconds = Object.fromEntries(
    Object.entries(threadTicks).map(([n, t]) => [n, t / 100]),
  );
  return { cpuSeconds: cpuTicks / 100, rssBytes, threadSeconds };
}

/** utime + stime of a /proc stat line, in clock ticks (100 per second). */
function ticksOf(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
