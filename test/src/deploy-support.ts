// What the deploy tests read: the Compose file, the kustomize base and overlays rendered the way
// kustomize renders them (for the features deploy/k8s uses), and the facts of the code that the
// manifests must agree with (CLI commands, entry points, health paths, property keys). And what
// the podman stack tests share: the shop flow, the dashboards' queries and podman helpers
// (kube-play-support.ts reduces a rendered overlay to what `podman kube play` runs).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { call, eventually } from './support.js';

/** `execFile`, promised: stdout and stderr of a command that exited 0. */
export const runFile = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Doc = Record<string, unknown>;

export const isObject = (v: unknown): v is Doc =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every YAML document of `file` (merge keys `<<` applied, as Compose applies them). */
export function readYamlDocs(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'), { merge: true });
  return (Array.isArray(docs) ? docs : [docs])
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
      return d.toJS({ maxAliasCount: -1 }) as unknown;
    })
    .filter(isObject);
}

/** deploy/compose/compose.yaml, parsed. */
export function composeFile(): Doc {
  return readYamlDocs('deploy/compose/compose.yaml')[0]!;
}

// ---- kustomize, reduced to what deploy/k8s uses ----

/** `patch` merged into `base`: maps key by key, lists of named items by name (containers, env,
 *  ports, volumes), other lists replaced: Kubernetes' strategic merge for these fields. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObject(base) && isObject(patch)) {
    const out: Doc = { ...base };
    for (const [key, value] of Object.entries(patch)) out[key] = strategicMerge(base[key], value);
    return out;
  }
  if (
    Array.isArray(base) &&
    Array.isArray(patch) &&
    patch.every((p) => isObject(p) && 'name' in p)
  ) {
    const out = [...base] as unknown[];
    for (const item of patch as Doc[]) {
      const at = out.findIndex((b) => isObject(b) && b.name === item.name);
      if (at === -1) out.push(item);
      else out[at] = strategicMerge(out[at], item);
    }
    return out;
  }
  return patch;
}

function applyJsonPatch(doc: Doc, ops: Array<{ op: string; path: string; value: unknown }>): Doc {
  const copy = structuredClone(doc);
  for (const { op, path, value } of ops) {
    if (op !== 'replace' && op !== 'add') throw new Error(`unsupported JSON patch op ${op}`);
    const parts = path.split('/').slice(1);
    let node: Doc = copy;
    for (const part of parts.slice(0, -1)) node = node[part] as Doc;
    node[parts.at(-1)!] = value;
  }
  return copy;
}

export const nameOf = (d: Doc) => String((d.metadata as Doc | undefined)?.name ?? '');

/** A generator entry of a kustomization as the ConfigMap or Secret it makes. */
function generated(kind: 'ConfigMap' | 'Secret', entry: Doc, dir: string): Doc {
  const data: Record<string, string> = {};
  for (const literal of (entry.literals as string[] | undefined) ?? []) {
    const at = literal.indexOf('=');
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  for (const envFile of (entry.envs as string[] | undefined) ?? []) {
    // A file that is never committed (prod's secrets.env): its example names the keys.
    const file = existsSync(join(ROOT, dir, envFile)) ? envFile : `${envFile}.example`;
    for (const line of readFileSync(join(ROOT, dir, file), 'utf8').split('\n')) {
      const match = /^([\w.-]+)=(.*)$/.exec(line.trim());
      if (match) data[match[1]!] = match[2]!;
    }
  }
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name: entry.name },
    ...(kind === 'Secret' ? { type: 'Opaque', stringData: data } : { data }),
  };
}

/** The resources `kubectl kustomize <dir>` would print (for the features deploy/k8s uses). */
export function renderKustomization(dir: string): Doc[] {
  const k = readYamlDocs(join(dir, 'kustomization.yaml'))[0]!;
  let docs: Doc[] = [];
  for (const resource of (k.resources as string[] | undefined) ?? []) {
    const path = join(dir, resource);
    docs.push(
      ...(statSync(join(ROOT, path)).isDirectory()
        ? renderKustomization(path)
        : readYamlDocs(path)),
    );
  }
  for (const entry of (k.configMapGenerator as Doc[] | undefined) ?? [])
    docs.push(generated('ConfigMap', entry, dir));
  for (const entry of (k.secretGenerator as Doc[] | undefined) ?? [])
    docs.push(generated('Secret', entry, dir));
  for (const patch of (k.patches as Doc[] | undefined) ?? []) docs = applyPatch(docs, patch, dir);
  docs = docs.map((d) => withImages(d, (k.images as Doc[] | undefined) ?? []));
  if (typeof k.namespace === 'string')
    docs = docs.map((d) =>
      d.kind === 'Namespace'
        ? d
        : { ...d, metadata: { ...(d.metadata as Doc), namespace: k.namespace } },
    );
  return docs;
}

function applyPatch(docs: Doc[], patch: Doc, dir: string): Doc[] {
  if (typeof patch.path === 'string') {
    const patches = readYamlDocs(join(dir, patch.path));
    return docs.map((d) => {
      const match = patches.find((p) => p.kind === d.kind && nameOf(p) === nameOf(d));
      return match ? (strategicMerge(d, match) as Doc) : d;
    });
  }
  const target = patch.target as Doc;
  const ops = readYamlDocsFromText(String(patch.patch)) as unknown as Array<{
    op: string;
    path: string;
    value: unknown;
  }>;
  return docs.map((d) => (d.kind === target.kind ? applyJsonPatch(d, ops) : d));
}

function readYamlDocsFromText(text: string): unknown {
  const [doc] = parseAllDocuments(text);
  return doc!.toJS() as unknown;
}

function withImages(doc: Doc, images: Doc[]): Doc {
  if (doc.kind !== 'Deployment' || images.length === 0) return doc;
  const copy = structuredClone(doc);
  for (const container of podSpec(copy).containers as Doc[]) {
    const image = images.find((i) => i.name === container.image);
    if (image) container.image = `${String(image.newName)}:${String(image.newTag)}`;
  }
  return copy;
}

/** The pod spec of a Deployment. */
export function podSpec(deployment: Doc): Doc {
  return ((deployment.spec as Doc).template as Doc).spec as Doc;
}

/** The kustomize overlays under deploy/k8s/overlays. */
export function overlays(): string[] {
  return readdirSync(join(ROOT, 'deploy/k8s/overlays')).map((o) => `deploy/k8s/overlays/${o}`);
}

// ---- facts of the code ----

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry.name) && !/\.test\.ts$|\.d\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every non-test TypeScript source of packages/ and services/. */
export function codeSources(): Array<{ file: string; text: string }> {
  const dirs = ['packages', 'services'].flatMap((top) =>
    readdirSync(join(ROOT, top))
      .map((name) => `${top}/${name}/src`)
      .filter((dir) => existsSync(join(ROOT, dir))),
  );
  return dirs.flatMap(sourceFiles).map((file) => ({
    file,
    text: readFileSync(join(ROOT, file), 'utf8'),
  }));
}

/** The `stratus <command>`s that run a server, from the CLI's `server('<name>', …)` calls. */
export function cliServerCommands(): string[] {
  const main = readFileSync(join(ROOT, 'packages/cli/src/main.ts'), 'utf8');
  return [...main.matchAll(/server\(\s*'([a-z-]+)'/g)].map((m) => m[1]!);
}

/** Health paths the actuator serves, from its health endpoint's operations. */
export function healthPaths(): string[] {
  const text = readFileSync(join(ROOT, 'packages/boot/src/actuator/endpoints.ts'), 'utf8');
  const start = text.indexOf("id: 'health'");
  const block = text.slice(start, text.indexOf("id: '", start + 1));
  const subPaths = [...block.matchAll(/path: '(\/[a-z]+)'/g)].map((m) => m[1]!);
  return ['/actuator/health', ...subPaths.map((p) => `/actuator/health${p}`)];
}

/** Upper case without separators: how Spring's relaxed binding compares names. */
export const squash = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** What can read an environment variable: property keys and key parts in the code, `${NAME}`
 *  placeholders in the YAML files, and names read from `process.env` directly. */
export interface EnvironmentReaders {
  keys: Set<string>;
  keyParts: Set<string>;
  keyPrefixes: Set<string>;
  placeholders: Set<string>;
  direct: Set<string>;
}

export function environmentReaders(): EnvironmentReaders {
  const keys = new Set<string>();
  const keyParts = new Set<string>();
  const keyPrefixes = new Set<string>();
  const direct = new Set<string>();
  for (const { text } of codeSources()) {
    for (const m of text.matchAll(/'([a-z][\w-]*(?:\.[\w-]+)+)'/g)) {
      keys.add(squash(m[1]!));
      keyPrefixes.add(squash(m[1]!));
    }
    for (const m of text.matchAll(/key: '([a-z][\w.-]*)'/g)) {
      keyParts.add(squash(m[1]!));
      if (m[1]!.includes('.')) keyPrefixes.add(squash(m[1]!));
    }
    for (const m of text.matchAll(/`\$\{\w+\}\.([a-z][\w.-]*)`/g)) keyParts.add(squash(m[1]!));
    for (const m of text.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)) direct.add(m[1]!);
  }
  for (const m of readFileSync(join(ROOT, 'deploy/docker/app/healthcheck.mjs'), 'utf8').matchAll(
    /process\.env\.([A-Z_][A-Z0-9_]*)/g,
  ))
    direct.add(m[1]!);
  const placeholders = new Set<string>();
  for (const file of yamlConfigFiles())
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/\$\{([A-Za-z_][\w.-]*)[:}]/g))
      placeholders.add(squash(m[1]!));
  return { keys, keyParts, keyPrefixes, placeholders, direct };
}

function yamlConfigFiles(): string[] {
  const files = readdirSync(join(ROOT, 'config-repo')).map((f) => `config-repo/${f}`);
  for (const top of ['packages', 'services'])
    for (const name of readdirSync(join(ROOT, top)))
      if (existsSync(join(ROOT, top, name, 'application.yml')))
        files.push(`${top}/${name}/application.yml`);
  return files.filter((f) => /\.ya?ml$/.test(f));
}

/** True when some code reads `name`: directly, as a placeholder, or by relaxed binding of a key
 *  the code uses (whole, or a bound prefix followed by nested property names). */
export function isRead(name: string, readers: EnvironmentReaders): boolean {
  if (readers.direct.has(name)) return true;
  const wanted = squash(name);
  if (readers.placeholders.has(wanted) || readers.keys.has(wanted)) return true;
  const composable = (rest: string): boolean =>
    rest === '' ||
    [...readers.keyParts].some(
      (part) => rest.startsWith(part) && composable(rest.slice(part.length)),
    );
  return [...readers.keyPrefixes].some(
    (prefix) =>
      wanted.startsWith(prefix) && wanted !== prefix && composable(wanted.slice(prefix.length)),
  );
}

/** A path relative to the root, for messages. */
export const rel = (path: string) => relative(ROOT, path);

// ---- podman: what the stack tests share ----

const isCommand = (command: string) =>
  spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Why the podman stack tests cannot run here, or null: the first missing command of `commands`,
 *  or a podman that does not answer. */
export function podmanMissingReason(commands: string[]): string | null {
  for (const command of commands)
    if (!isCommand(command)) return `${command} is not installed (see scripts/podman-setup.sh)`;
  if (spawnSync('podman', ['info'], { stdio: 'ignore' }).status !== 0) return 'podman info fails';
  return null;
}

/** The tag scripts/images.sh gives image `name` (`stratus`, `mariadb`, `kafka`, …). */
export function imageTag(name: string): string {
  const out = spawnSync('bash', [join(ROOT, 'scripts/images.sh'), 'tag', name], {
    encoding: 'utf8',
  });
  return out.stdout.trim();
}

/** Resident memory in MB of every running container whose name `rename` maps to a label (the
 *  others are left out), from one `podman stats --no-stream`. */
export async function residentMemoryMb(
  rename: (container: string) => string | null,
): Promise<Record<string, number>> {
  const { stdout } = await runFile('podman', [
    'stats',
    '--no-stream',
    '--no-reset',
    '--format',
    '{{.Name}} {{.MemUsage}}',
  ]);
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const [name = '', ...rest] = line.split(' ');
    const label = rename(name);
    const m = /([\d.]+)([kMG]B)/.exec(rest.join(' '));
    if (label !== null && m) out[label] = Number(m[1]) * { kB: 1e-3, MB: 1, GB: 1e3 }[m[2]!]!;
  }
  return out;
}

// ---- the shop through a gateway ----

export interface Order {
  orderId: string;
  status: string;
}

/** Sign-up, login, an order that gets CONFIRMED, the stock decremented, the user's detail with
 *  the order: the shop's contract through `gateway`. */
export async function shopFlow(
  gateway: string,
): Promise<{ userId: string; auth: Record<string, string> }> {
  const before = await call<Array<{ productId: string; stock: number }>>(
    `${gateway}/catalog-service/catalogs`,
  );
  const stockOf = (list: typeof before.body) =>
    list.find((p) => p.productId === 'CATALOG-001')!.stock;
  const email = `ada-${process.pid}-${Date.now()}@example.com`;
  const signup = await call<{ userId: string }>(`${gateway}/user-service/users`, {
    json: { email, name: 'Ada Lovelace', pwd: 'correct horse battery' },
  });
  assert.equal(signup.status, 201);
  const login = await call(`${gateway}/user-service/login`, {
    json: { email, password: 'correct horse battery' },
  });
  assert.equal(login.status, 200);
  const auth = { authorization: `Bearer ${login.headers.get('token')!}` };
  const { userId } = signup.body;
  const order = await call<Order>(`${gateway}/order-service/${userId}/orders`, {
    json: { productId: 'CATALOG-001', qty: 2, unitPrice: 1500 },
    headers: auth,
  });
  assert.equal(order.status, 201);
  await eventually(
    'the order confirmed',
    async () => {
      const list = await call<Order[]>(`${gateway}/order-service/${userId}/orders`, {
        headers: auth,
      });
      return list.body.find((o) => o.orderId === order.body.orderId)?.status === 'CONFIRMED'
        ? true
        : undefined;
    },
    60_000,
  );
  const after = await call<typeof before.body>(`${gateway}/catalog-service/catalogs`);
  assert.equal(stockOf(after.body), stockOf(before.body) - 2);
  const detail = await call<{ email: string; orders: Order[] }>(
    `${gateway}/user-service/users/${userId}`,
    { headers: auth },
  );
  assert.equal(detail.status, 200);
  assert.equal(detail.body.email, email);
  assert.equal(detail.body.orders.length, 1);
  return { userId, auth };
}

// ---- the shipped Grafana dashboards ----

/** Every query of every dashboard in deploy/grafana/dashboards, as Grafana would send it to
 *  Prometheus: `$__rate_interval` as `rateInterval`, every template variable as "all" (`.+`). */
export function dashboardQueries(
  rateInterval: string,
): Array<{ dashboard: string; panel: string; promql: string }> {
  const folder = join(ROOT, 'deploy/grafana/dashboards');
  return readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        title: string;
        panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      };
      return dashboard.panels.flatMap((panel) =>
        panel.targets.map((target) => ({
          dashboard: dashboard.title,
          panel: panel.title,
          promql: target.expr
            .replaceAll('$__rate_interval', rateInterval)
            .replace(/\$[a-z_]+/g, '.+'),
        })),
      );
    });
}

/** The samples of an instant PromQL query against `prometheus` (its base URL). */
export async function promQuery(
  prometheus: string,
  promql: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await call<{
    status: string;
    data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    error?: string;
  }>(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  assert.equal(response.body.status, 'success', `${promql}: ${response.body.error}`);
  return response.body.data!.result;
}
