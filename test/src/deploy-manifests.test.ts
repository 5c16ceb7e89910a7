// The deployment files against their schemas and against the code, without a container engine:
// compose.yaml against the Compose Specification's JSON schema, every rendered Kubernetes
// resource against Kubernetes 1.36's OpenAPI definitions (strict: unknown fields fail, as
// kubeconform -strict), and every command, port, health path and environment variable that the
// files use against what the code offers. Schemas: deploy/compose/schema, deploy/k8s/schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import {
  ROOT,
  cliServerCommands,
  composeFile,
  environmentReaders,
  healthPaths,
  isRead,
  overlays,
  podSpec,
  readYamlDocs,
  renderKustomization,
  type Doc,
} from './deploy-support.js';

const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Doc;

// ---- schemas ----

function composeValidator() {
  const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto' });
  // The schema names draft-07 by its https URL, which Ajv 6 knows by its http one.
  const schema = readJson('deploy/compose/schema/compose-spec.json');
  delete schema.$schema;
  return ajv.compile(schema);
}

/** Definitions made strict: an object schema with properties accepts no other field. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (typeof node !== 'object' || node === null) return node;
  const out: Doc = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'properties' ? strictProps(v as Doc) : strict(v);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  // Kubernetes' int-or-string and quantity have no type in OpenAPI v2; anything else is typed.
  if ('format' in out && out.format === 'int-or-string') return { type: ['integer', 'string'] };
  return out;
}
const strictProps = (props: Doc) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, strict(v)]));

type GroupVersionKind = { group: string; version: string; kind: string };

function kubernetesValidators() {
  const { definitions } = readJson('deploy/k8s/schema/kubernetes-definitions.json') as {
    definitions: Record<string, Doc>;
  };
  const ajv = new Ajv({ allErrors: true, unknownFormats: 'ignore', schemaId: 'auto' });
  ajv.addSchema({ definitions: strict(definitions) as Doc }, 'k8s');
  const byKind = new Map<string, ReturnType<Ajv.Ajv['compile']>>();
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of (definition['x-kubernetes-group-version-kind'] as GroupVersionKind[]) ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      byKind.set(`${apiVersion}/${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${name}` }));
    }
  }
  return (doc: Doc): string[] => {
    const validate = byKind.get(`${String(doc.apiVersion)}/${String(doc.kind)}`);
    if (!validate) return [`no schema for ${String(doc.apiVersion)} ${String(doc.kind)}`];
    return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
  };
}

const describe = (d: Doc) => `${String(d.kind)}/${String((d.metadata as Doc)?.name)}`;

test('compose.yaml validates against the Compose Specification schema', () => {
  const validate = composeValidator();
  assert.equal(validate(composeFile()), true, JSON.stringify(validate.errors, null, 1));
});

test('the Compose schema rejects a misspelt service field, so the check can fail', () => {
  const validate = composeValidator();
  const broken = structuredClone(composeFile());
  ((broken.services as Doc).gateway as Doc).healthchek = { test: ['CMD', 'true'] };
  assert.equal(validate(broken), false);
});

for (const overlay of overlays()) {
  test(`every resource of ${overlay} validates against Kubernetes 1.36's schemas (strict)`, () => {
    const validate = kubernetesValidators();
    const docs = renderKustomization(overlay);
    assert.ok(docs.length >= 20, `only ${docs.length} resources rendered`);
    const problems = docs.flatMap((d) => validate(d).map((p) => `${describe(d)}: ${p}`));
    assert.deepEqual(problems, []);
  });
}

test('the Kubernetes check rejects an unknown field and a wrong type, so it can fail', () => {
  const validate = kubernetesValidators();
  const [deployment] = renderKustomization('deploy/k8s/overlays/dev').filter(
    (d) => d.kind === 'Deployment',
  );
  const typo = structuredClone(deployment!);
  (typo.spec as Doc).replica = 2;
  assert.notDeepEqual(validate(typo), []);
  const nested = structuredClone(deployment!);
  const [container] = podSpec(nested).containers as Doc[];
  ((container!.livenessProbe as Doc).httpGet as Doc).paht = '/actuator/health';
  assert.notDeepEqual(validate(nested), []);
  const wrongType = structuredClone(deployment!);
  (wrongType.spec as Doc).replicas = 'two';
  assert.notDeepEqual(validate(wrongType), []);
});

// ---- the files against the code ----

interface Container {
  where: string;
  image: string;
  command: string[];
  env: Map<string, string>;
  /** Ports the container listens on, as the file says. */
  ports: number[];
  healthPaths: string[];
}

const isStratus = (image: string) => /stratus\/stratus|^stratus$|STRATUS_IMAGE/.test(image);

function composeContainers(): Container[] {
  const services = composeFile().services as Record<string, Doc>;
  return Object.entries(services).map(([name, s]) => ({
    where: `compose ${name}`,
    image: String(s.image),
    command: (s.command as string[] | undefined) ?? [],
    env: new Map(
      Object.entries((s.environment as Record<string, unknown>) ?? {}).map(([k, v]) => [
        k,
        String(v),
      ]),
    ),
    ports: ((s.ports as string[] | undefined) ?? []).map((p) => Number(p.split(':').at(-1))),
    healthPaths: [],
  }));
}

function kubernetesContainers(overlay: string): Container[] {
  const docs = renderKustomization(overlay);
  const configMaps = new Map(
    docs
      .filter((d) => d.kind === 'ConfigMap')
      .map((d) => [(d.metadata as Doc).name, d.data as Record<string, string>]),
  );
  return docs
    .filter((d) => d.kind === 'Deployment')
    .flatMap((d) =>
      (podSpec(d).containers as Doc[]).map((c) => {
        const env = new Map<string, string>();
        for (const from of (c.envFrom as Doc[] | undefined) ?? [])
          for (const [k, v] of Object.entries(
            configMaps.get((from.configMapRef as Doc).name) ?? {},
          ))
            env.set(k, v);
        for (const e of (c.env as Doc[] | undefined) ?? [])
          env.set(String(e.name), String(e.value ?? ''));
        const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'].map(
          (p) => c[p] as Doc | undefined,
        );
        return {
          where: `${overlay} ${describe(d)}`,
          image: String(c.image),
          command: c.command as string[],
          env,
          ports: ((c.ports as Doc[] | undefined) ?? []).map((p) => Number(p.containerPort)),
          healthPaths: probes
            .filter((p) => p !== undefined)
            .map((p) => String((p.httpGet as Doc).path)),
        };
      }),
    );
}

const allContainers = () => [...composeContainers(), ...overlays().flatMap(kubernetesContainers)];

/** `stratus <server>` or `node services/<x>/dist/<file>.js`, possibly behind `sh -c '… exec …'`. */
function commandProblem(command: string[]): string | null {
  const words =
    command[0] === 'sh' && command[1] === '-c'
      ? command[2]!.split(/\s+/).slice(command[2]!.split(/\s+/).indexOf('exec') + 1)
      : command;
  if (words[0] === 'stratus')
    return cliServerCommands().includes(words[1] ?? '')
      ? null
      : `stratus has no command ${words[1]}`;
  if (words[0] === 'node') {
    const source = (words[1] ?? '').replace('/dist/', '/src/').replace(/\.js$/, '.ts');
    return existsSync(join(ROOT, source))
      ? null
      : `${words[1]} is built from no source (${source})`;
  }
  return `unknown command ${command.join(' ')}`;
}

test('every Stratus container runs a command the image has: a CLI server or a service entry', () => {
  const problems: string[] = [];
  for (const c of allContainers().filter((c) => isStratus(c.image))) {
    const problem = commandProblem(c.command);
    if (problem) problems.push(`${c.where}: ${problem}`);
  }
  assert.deepEqual(problems, []);
  assert.ok(commandProblem(['stratus', 'eureka-server']), 'an unknown command is reported');
});

test('every Stratus container listens where the file says: SERVER_PORT is the published or declared port', () => {
  const problems: string[] = [];
  for (const c of allContainers().filter((c) => isStratus(c.image))) {
    const port = Number(c.env.get('SERVER_PORT'));
    if (!(port > 0)) problems.push(`${c.where}: no SERVER_PORT`);
    for (const p of c.ports)
      if (p !== port) problems.push(`${c.where}: port ${p} but SERVER_PORT ${port}`);
  }
  assert.deepEqual(problems, []);
});

test('every probe and health check asks a health path the actuator serves', () => {
  const served = healthPaths();
  assert.ok(served.includes('/actuator/health/readiness'), `served: ${served.join(', ')}`);
  const used = allContainers().flatMap((c) => c.healthPaths.map((p) => [c.where, p] as const));
  const healthcheck = readFileSync(join(ROOT, 'deploy/docker/app/healthcheck.mjs'), 'utf8');
  used.push(['healthcheck.mjs', /\|\| '([^']+)'/.exec(healthcheck)![1]!]);
  assert.ok(used.length > 10);
  assert.deepEqual(
    used.filter(([, p]) => !served.includes(p)),
    [],
  );
});

/** Variables of server images (not Stratus) are read by their start scripts or init scripts. */
function infraReads(image: string): string {
  const name = /stratus\/([a-z]+):/.exec(image)?.[1] ?? '';
  const dirs = [
    `deploy/docker/${name}`,
    ...(name === 'mariadb' ? ['deploy/compose/mariadb/init'] : []),
  ];
  return dirs
    .filter((d) => existsSync(join(ROOT, d)))
    .flatMap((d) => readdirSync(join(ROOT, d)).map((f) => readFileSync(join(ROOT, d, f), 'utf8')))
    .join('\n');
}

test('every environment variable the files set is read by the code of the container it is set on', () => {
  const readers = environmentReaders();
  const problems: string[] = [];
  for (const c of allContainers()) {
    const infra = isStratus(c.image) ? '' : infraReads(c.image);
    for (const name of c.env.keys()) {
      const read = isStratus(c.image)
        ? isRead(name, readers)
        : new RegExp(`\\b${name}\\b`).test(infra);
      if (!read) problems.push(`${c.where}: ${name}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.equal(isRead('SPRING_CLOUD_CONFIG_URI', readers), true);
  assert.equal(isRead('EUREKA_CLIENT_SERVICEURL_DEFAULTZONE', readers), true);
  assert.equal(isRead('SPRING_DATASOURCE_URLL', readers), false, 'a misspelt name is caught');
});

test('every ConfigMap and Secret key the Deployments refer to exists', () => {
  for (const overlay of overlays()) {
    const docs = renderKustomization(overlay);
    const keysOf = (kind: string, name: unknown) => {
      const d = docs.find((x) => x.kind === kind && (x.metadata as Doc).name === name);
      return new Set(Object.keys(((d?.data ?? d?.stringData) as Doc | undefined) ?? {}));
    };
    const problems: string[] = [];
    for (const d of docs.filter((x) => x.kind === 'Deployment'))
      for (const c of podSpec(d).containers as Doc[])
        for (const e of (c.env as Doc[] | undefined) ?? []) {
          const from = e.valueFrom as Doc | undefined;
          const ref = (from?.configMapKeyRef ?? from?.secretKeyRef) as Doc | undefined;
          if (!ref) continue;
          const kind = from?.configMapKeyRef ? 'ConfigMap' : 'Secret';
          if (!keysOf(kind, ref.name).has(String(ref.key)))
            problems.push(
              `${overlay} ${describe(d)}: ${kind} ${String(ref.name)} has no key ${String(ref.key)}`,
            );
        }
    assert.deepEqual(problems, []);
  }
});

test("the course's ConfigMap is kept as the course wrote it: name and keys", () => {
  const [configMap] = readYamlDocs('deploy/k8s/base/msa-k8s-configmap.yaml');
  assert.equal((configMap!.metadata as Doc).name, 'msa-k8s-configmap');
  assert.deepEqual(Object.keys(configMap!.data as Doc).sort(), [
    'bootstrap-servers',
    'gateway_ip',
    'order-service-url',
    'token_expiration_time',
    'token_secret',
  ]);
});

test('discovery mode kubernetes exists in the code the manifests select it in', () => {
  const settings = readFileSync(join(ROOT, 'packages/boot/src/settings.ts'), 'utf8');
  assert.match(settings, /values: \[[^\]]*'kubernetes'/);
  for (const c of overlays().flatMap(kubernetesContainers))
    assert.equal(c.env.get('STRATUS_DISCOVERY_MODE'), 'kubernetes', c.where);
});
