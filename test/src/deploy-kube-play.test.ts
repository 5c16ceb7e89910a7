// The Kubernetes dev overlay for real, with `podman kube play` (podman 4.3): the rendered overlay
// reduced to what podman runs of it (forPodmanKubePlay in deploy-support.ts: one Pod per
// Service, named after it, on one podman network whose DNS answers pod names), MariaDB, Kafka
// and Zipkin as pods of the project's images at the addresses stratus-config names, then the
// shop flow through the gateway in discovery mode `kubernetes` (no registry runs), and nothing
// left behind. Skips with a reason when podman, catatonit (podman's pause process for pods) or
// the images are missing; under CI=true it fails then.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { call, eventually, freePort, tempDir } from './support.js';
import {
  ROOT,
  imageTag,
  podmanMissingReason,
  residentMemoryMb,
  runFile as run,
  shopFlow,
  type Doc,
} from './deploy-support.js';
import { devOverlayForKubePlay } from './kube-play-support.js';

const IMAGES = ['stratus', 'mariadb', 'kafka', 'zipkin'];

function missingReason(): string | null {
  const missing = podmanMissingReason(['podman', 'catatonit']);
  if (missing !== null || process.env.CI === 'true') return missing;
  for (const name of IMAGES)
    if (spawnSync('podman', ['image', 'exists', imageTag(name)]).status !== 0)
      return `the image ${imageTag(name)} is not built (bash scripts/images.sh build)`;
  return null;
}

interface Played {
  network: string;
  files: string[];
  pods: string[];
  volumes: string[];
  secrets: string[];
}

/** Removes what the test plays; safe to run twice and on a half-made stack. */
async function tearDown(played: Played): Promise<void> {
  const quiet = (...args: string[]) => run('podman', args).catch(() => undefined);
  for (const file of played.files) await quiet('kube', 'down', file);
  if (played.pods.length > 0) await quiet('pod', 'rm', '-f', '-t', '5', ...played.pods);
  if (played.volumes.length > 0) await quiet('volume', 'rm', '-f', ...played.volumes);
  if (played.secrets.length > 0) await quiet('secret', 'rm', ...played.secrets);
  await quiet('network', 'rm', '-f', played.network);
}

/** The pods, volumes, secrets and network of `played` that podman still has. */
async function leftovers(played: Played): Promise<string[]> {
  const list = async (...args: string[]) =>
    (await run('podman', args)).stdout.split('\n').filter((line) => line.trim() !== '');
  const pods = await list('pod', 'ps', '--format', '{{.Name}}');
  const volumes = await list('volume', 'ls', '--format', '{{.Name}}');
  const secrets = await list('secret', 'ls', '--format', '{{.Name}}');
  const networks = await list('network', 'ls', '--format', '{{.Name}}');
  return [
    ...pods.filter((p) => played.pods.includes(p)).map((p) => `pod ${p}`),
    ...volumes.filter((v) => played.volumes.includes(v)).map((v) => `volume ${v}`),
    ...secrets.filter((s) => played.secrets.includes(s)).map((s) => `secret ${s}`),
    ...networks.filter((n) => n === played.network).map((n) => `network ${n}`),
  ];
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One run at a time on a machine: the pods carry the Services' names and podman's names are
 *  global. Waits for a live holder of the lock; takes it over from a dead one. */
async function lockMachine(): Promise<() => void> {
  const file = join(tmpdir(), 'stratus-kube-play.lock');
  await eventually(
    'the kube play lock (another run of this test holds it)',
    async () => {
      try {
        closeSync(openSync(file, 'wx'));
        writeFileSync(file, String(process.pid));
        return true;
      } catch {
        const holder = Number(readFileSync(file, 'utf8'));
        if (!isAlive(holder)) rmSync(file, { force: true });
        await new Promise((done) => setTimeout(done, 2_000));
        return undefined;
      }
    },
    20 * 60_000,
  );
  return () => rmSync(file, { force: true });
}

const volumesOf = (docs: Doc[]) =>
  docs
    .filter((d) => d.kind === 'Pod')
    .flatMap((d) => ((d.spec as Doc).volumes as Doc[] | undefined) ?? [])
    .map((v) => ('configMap' in v ? String((v.configMap as Doc).name) : String(v.name)));

async function bringUp(t: TestContext) {
  await run('bash', [join(ROOT, 'scripts/images.sh'), 'build', ...IMAGES], {
    timeout: 40 * 60_000,
  });
  const unlock = await lockMachine();
  const dir = await tempDir(t, 'stratus-kube-play-');
  const prefix = `stratus-kube-${process.pid}`;
  const gatewayPort = await freePort();
  const { play, infra } = devOverlayForKubePlay(prefix, gatewayPort);
  const files = { infra: join(dir, 'backends.yaml'), shop: join(dir, 'shop.yaml') };
  const toYaml = (docs: Doc[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  writeFileSync(files.infra, toYaml(infra));
  writeFileSync(files.shop, toYaml(play.docs));
  const podNames = (docs: Doc[]) =>
    docs.filter((d) => d.kind === 'Pod').map((d) => String((d.metadata as Doc).name));
  const played: Played = {
    network: prefix,
    files: [files.shop, files.infra],
    pods: [...podNames(play.docs), ...podNames(infra)],
    volumes: [...volumesOf(play.docs), ...volumesOf(infra)],
    secrets: Object.keys(play.secrets),
  };
  // Leftovers of an interrupted earlier run carry the same pod and secret names.
  await tearDown(played);
  t.after(async () => {
    await tearDown(played);
    unlock();
  });

  const started = Date.now();
  await run('podman', ['network', 'create', played.network]);
  for (const [name, content] of Object.entries(play.secrets)) {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, content, { mode: 0o600 });
    await run('podman', ['secret', 'create', name, file]);
  }
  const kubePlay = (file: string) =>
    run('podman', ['kube', 'play', '--network', played.network, file], { timeout: 120_000 });
  await kubePlay(files.infra);
  // The shop's services exit when MariaDB does not answer (the pods restart them); waiting for
  // it first spares the two cores those restarts.
  await eventually(
    'MariaDB answering, its databases made',
    async () => {
      const { stdout } = await run('podman', [
        'exec',
        'mariadb-mariadb',
        'bash',
        '-c',
        'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -N -e "SHOW DATABASES LIKE \'stratus_orders\'"',
      ]);
      return stdout.includes('stratus_orders') ? true : undefined;
    },
    120_000,
  );
  await kubePlay(files.shop);
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  await eventually(
    'the gateway healthy and routing to every service by its Service name',
    async () => {
      const routed = await Promise.all(
        [
          '/actuator/health',
          '/catalog-service/catalogs',
          '/user-service/actuator/health',
          '/order-service/actuator/health',
        ].map(async (path) => (await call(`${gateway}${path}`)).status === 200),
      );
      if (routed.every(Boolean)) return true;
      await new Promise((done) => setTimeout(done, 1_000));
      return undefined;
    },
    5 * 60_000,
  );
  return { played, play, gateway, startMs: Date.now() - started };
}

const reason = missingReason();

test(
  'podman kube play runs the rendered dev overlay in discovery mode kubernetes: the shop through the gateway pod, nothing left after',
  { skip: reason !== null && process.env.CI !== 'true' ? reason : false, timeout: 60 * 60_000 },
  async (t) => {
    assert.equal(reason, null, `CI=true and ${reason}`);
    const { played, play, gateway, startMs } = await bringUp(t);
    t.diagnostic(`stack up (gateway routing to every service) in ${Math.round(startMs / 1000)} s`);
    t.diagnostic(`left out (podman 4.3 has no such objects): ${play.leftOut.join(', ')}`);
    const { stdout: mode } = await run('podman', [
      'exec',
      'gateway-gateway',
      'printenv',
      'STRATUS_DISCOVERY_MODE',
    ]);
    assert.equal(mode.trim(), 'kubernetes');
    assert.ok(!played.pods.some((p) => /registry|discovery/.test(p)), 'no registry runs');

    await shopFlow(gateway);
    const memory = await residentMemoryMb((name) => {
      const pod = played.pods.find((p) => name.startsWith(`${p}-`));
      return pod === undefined || name.endsWith('-infra') ? null : pod;
    });
    t.diagnostic(`resident memory (MB): ${JSON.stringify(memory)}`);

    await tearDown(played);
    assert.deepEqual(await leftovers(played), [], 'no pod, volume, secret or network is left');
  },
);
