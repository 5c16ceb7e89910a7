// What `podman kube play` (podman 4.3, Debian's) runs of a rendered kustomize overlay, and the
// backends the dev overlay expects beside it: the reduction deploy-kube-play.test.ts and
// scripts/kube-play.sh play. The committed manifests stay plain Kubernetes.
/** What to give `podman kube play` (podman 4.3) for a rendered overlay. */
export interface KubePlay {
  /** ConfigMaps, then one Pod per Service, in play order. */
  docs: Doc[];
  /** Podman secrets to create before playing: name → file content. */
  secrets: Record<string, string>;
  /** The resources left out, as `Kind/name` (podman 4.3 has no such objects). */
  leftOut: string[];
}

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  imageTag,
  isObject,
  nameOf,
  renderKustomization,
  type Doc,
} from './deploy-support.js';

/** Options of {@link forPodmanKubePlay}. */
export interface KubePlayOptions {
  /** Prefix of the podman volumes made for emptyDir volumes (podman's names are global). */
  volumePrefix: string;
  /** ConfigMap values replaced: ConfigMap name → key → value (the addresses of what runs outside
   *  the cluster: MariaDB, Kafka, Zipkin). */
  configMapValues?: Record<string, Record<string, string>>;
  /** Ports published on 127.0.0.1: Service name → host port (`kubectl port-forward`'s role). */
  hostPorts?: Record<string, number>;
}

/** A container's port by name or number, as a number. */
const portNumber = (container: Doc, port: unknown): number =>
  typeof port === 'number'
    ? port
    : Number(
        ((container.ports as Doc[] | undefined) ?? []).find((p) => p.name === port)?.containerPort,
      );

/** `envFrom` ConfigMaps as one `configMapKeyRef` a key, before `env`, leaving out the keys `env`
 *  sets: podman 4.3 lets `envFrom` override `env`, Kubernetes the other way round. */
function inlineEnvFrom(container: Doc, rendered: Doc[], options: KubePlayOptions): void {
  const env = (container.env as Doc[] | undefined) ?? [];
  const set = new Set(env.map((e) => e.name));
  const fromMaps: Doc[] = [];
  for (const source of (container.envFrom as Doc[] | undefined) ?? []) {
    const name = String((source.configMapRef as Doc | undefined)?.name);
    const configMap = rendered.find((d) => d.kind === 'ConfigMap' && nameOf(d) === name);
    if (!configMap) throw new Error(`envFrom: no ConfigMap ${name}`);
    const keys = new Set([
      ...Object.keys(configMap.data as Doc),
      ...Object.keys(options.configMapValues?.[name] ?? {}),
    ]);
    for (const key of keys)
      if (!set.has(key))
        fromMaps.push({ name: key, valueFrom: { configMapKeyRef: { name, key } } });
  }
  delete container.envFrom;
  container.env = [...fromMaps, ...env];
}

const labelsMatch = (labels: unknown, selector: Record<string, string>) =>
  isObject(labels) && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * A rendered overlay reduced to what `podman kube play` 4.3 runs, each step because podman 4.3
 * lacks the Kubernetes feature:
 * - no Service and no cluster DNS: each Deployment becomes one Pod named after the Service that
 *   selects it, so the pod's name (aardvark-dns answers it on the pods' network) stands for the
 *   Service name; one replica.
 * - no kube-proxy: a Service's port is the pod's container port (targetPort), so URLs of Services
 *   in ConfigMaps get the target port and `STRATUS_DISCOVERY_KUBERNETES_PORT` becomes it.
 * - `envFrom` overrides `env` (the other way round in Kubernetes): `envFrom` ConfigMaps become
 *   one `configMapKeyRef` a key, minus the keys `env` sets.
 * - a containerPort without hostPort is published on the host at the same port (all pods would
 *   take 8080): only the ports of `hostPorts` stay, on 127.0.0.1; probes name their port by
 *   number (podman turns them into health checks, which run only where systemd does).
 * - a secretKeyRef reads a podman secret whose content is the JSON of a Secret's `data` (values in
 *   base64); podman 4.3 stores a Secret it is given as YAML that its own reader then refuses
 *   ("not valid JSON"), so Secrets become podman secrets created beforehand.
 * - an emptyDir is a named podman volume shared by every pod using the same name: each gets the
 *   prefix and its pod's name.
 * - Namespace, ServiceAccount, Ingress, PodDisruptionBudget, HorizontalPodAutoscaler: left out.
 */
export function forPodmanKubePlay(rendered: Doc[], options: KubePlayOptions): KubePlay {
  const leftOut: string[] = [];
  const secrets: Record<string, string> = {};
  const pods: Doc[] = [];
  const targetPorts = new Map<string, { port: number; targetPort: number }>();
  const deployments = rendered.filter((d) => d.kind === 'Deployment');
  const converted = new Set<Doc>();
  for (const service of rendered.filter((d) => d.kind === 'Service')) {
    const name = nameOf(service);
    const spec = service.spec as Doc;
    const deployment = deployments.find((d) =>
      labelsMatch(
        (((d.spec as Doc).template as Doc).metadata as Doc).labels,
        spec.selector as Record<string, string>,
      ),
    );
    leftOut.push(`Service/${name}`);
    if (!deployment) continue;
    converted.add(deployment);
    const template = structuredClone((deployment.spec as Doc).template as Doc);
    const pod = template.spec as Doc;
    const containers = pod.containers as Doc[];
    const [servicePort] = spec.ports as Doc[];
    const target = servicePort!.targetPort ?? servicePort!.port;
    const containerPort = containers
      .flatMap((c) => (c.ports as Doc[] | undefined) ?? [])
      .find((p) => p.name === target || p.containerPort === target);
    if (!containerPort) throw new Error(`Service/${name}: no container port ${String(target)}`);
    targetPorts.set(name, {
      port: Number(servicePort!.port),
      targetPort: Number(containerPort.containerPort),
    });
    const hostPort = options.hostPorts?.[name];
    for (const container of containers) {
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const handler = (container[probe] as Doc | undefined)?.httpGet as Doc | undefined;
        if (handler) handler.port = portNumber(container, handler.port);
      }
      const published = ((container.ports as Doc[] | undefined) ?? []).filter(
        (p) => p === containerPort && hostPort !== undefined,
      );
      for (const p of published) Object.assign(p, { hostPort, hostIP: '127.0.0.1' });
      if (published.length > 0) container.ports = published;
      else delete container.ports;
    }
    const volumeName = new Map<string, string>();
    for (const volume of (pod.volumes as Doc[] | undefined) ?? [])
      if ('emptyDir' in volume) {
        volumeName.set(
          String(volume.name),
          `${options.volumePrefix}-${name}-${String(volume.name)}`,
        );
        volume.name = volumeName.get(String(volume.name));
      }
    for (const container of containers) {
      for (const mount of (container.volumeMounts as Doc[] | undefined) ?? [])
        mount.name = volumeName.get(String(mount.name)) ?? mount.name;
      inlineEnvFrom(container, rendered, options);
    }
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: (template.metadata as Doc).labels },
      spec: { ...pod, restartPolicy: 'Always' },
    });
  }
  const ports = new Set([...targetPorts.values()].map((p) => `${p.port}:${p.targetPort}`));
  if (ports.size > 1) throw new Error(`Services map different ports: ${[...ports].join(', ')}`);
  const servicePort = [...targetPorts.values()][0]!;
  const configMaps: Doc[] = [];
  for (const doc of rendered) {
    if (doc.kind === 'ConfigMap') {
      const data: Record<string, string> = { ...(doc.data as Record<string, string>) };
      for (const [key, value] of Object.entries(data)) {
        data[key] = value.replace(
          /\bhttp:\/\/([a-z0-9-]+)(?::(\d+))?(?=\/|$)/g,
          (url, host: string, port: string | undefined) => {
            const mapped = targetPorts.get(host);
            return mapped && (port === undefined || Number(port) === mapped.port)
              ? `http://${host}:${mapped.targetPort}`
              : url;
          },
        );
        if (key === 'STRATUS_DISCOVERY_KUBERNETES_PORT' && Number(value) === servicePort.port)
          data[key] = String(servicePort.targetPort);
      }
      Object.assign(data, options.configMapValues?.[nameOf(doc)]);
      configMaps.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: nameOf(doc) },
        data,
      });
    } else if (doc.kind === 'Secret') {
      const data: Record<string, string> = { ...(doc.data as Record<string, string>) };
      for (const [key, value] of Object.entries((doc.stringData as Record<string, string>) ?? {}))
        data[key] = Buffer.from(value).toString('base64');
      secrets[nameOf(doc)] = JSON.stringify(data);
    } else if (doc.kind !== 'Service' && !converted.has(doc)) {
      leftOut.push(`${String(doc.kind)}/${nameOf(doc)}`);
    }
  }
  return { docs: [...configMaps, ...pods], secrets, leftOut };
}

/** MariaDB, Kafka and Zipkin as pods named as stratus-config addresses them; MariaDB makes one
 *  database and user per service (deploy/compose/mariadb/init) with the passwords of
 *  stratus-secrets. */
export function kubePlayBackends(prefix: string): Doc[] {
  const initScript = '10-shop-databases.sh';
  const dbPassword = (variable: string, key: string) => ({
    name: variable,
    valueFrom: { secretKeyRef: { name: 'stratus-secrets', key } },
  });
  const pod = (name: string, container: Doc, volumes: Doc[] = []) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'app.kubernetes.io/name': name } },
    spec: { restartPolicy: 'Always', containers: [{ name, ...container }], volumes },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${prefix}-mariadb-init` },
      data: {
        [initScript]: readFileSync(join(ROOT, 'deploy/compose/mariadb/init', initScript), 'utf8'),
      },
    },
    pod(
      'mariadb',
      {
        image: imageTag('mariadb'),
        env: [
          { name: 'MARIADB_ROOT_PASSWORD', value: randomBytes(12).toString('hex') },
          dbPassword('USER_DB_PASSWORD', 'user-db-password'),
          dbPassword('CATALOG_DB_PASSWORD', 'catalog-db-password'),
          dbPassword('ORDER_DB_PASSWORD', 'order-db-password'),
        ],
        volumeMounts: [
          { name: `${prefix}-mariadb-data`, mountPath: '/var/lib/mysql' },
          { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
        ],
      },
      [
        { name: `${prefix}-mariadb-data`, emptyDir: {} },
        { name: 'init', configMap: { name: `${prefix}-mariadb-init` } },
      ],
    ),
    pod(
      'kafka',
      {
        image: imageTag('kafka'),
        env: [
          { name: 'KAFKA_ADVERTISED_HOST', value: 'kafka' },
          { name: 'KAFKA_HEAP', value: '384m' },
        ],
        volumeMounts: [{ name: `${prefix}-kafka-data`, mountPath: '/var/lib/kafka' }],
      },
      [{ name: `${prefix}-kafka-data`, emptyDir: {} }],
    ),
    pod('zipkin', { image: imageTag('zipkin') }),
  ];
}

/** The config server's repository as `kubectl create configmap stratus-config-repo
 *  --from-file=config-repo/` makes it. */
export function configRepoConfigMap(): Doc {
  const dir = join(ROOT, 'config-repo');
  const data: Record<string, string> = {};
  for (const file of readdirSync(dir)) data[file] = readFileSync(join(dir, file), 'utf8');
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stratus-config-repo' }, data };
}

/** The dev overlay rendered and reduced for `podman kube play` (ConfigMap stratus-config-repo
 *  from config-repo/ included), its backends, the gateway published on 127.0.0.1:`gatewayPort`,
 *  podman volumes named `<prefix>-…`. */
export function devOverlayForKubePlay(
  prefix: string,
  gatewayPort: number,
): { play: KubePlay; infra: Doc[] } {
  const rendered = [...renderKustomization('deploy/k8s/overlays/dev'), configRepoConfigMap()];
  const play = forPodmanKubePlay(rendered, {
    volumePrefix: prefix,
    hostPorts: { gateway: gatewayPort },
    configMapValues: {
      'stratus-config': {
        MARIADB_HOST: 'mariadb',
        MANAGEMENT_ZIPKIN_TRACING_ENDPOINT: 'http://zipkin:9411/api/v2/spans',
      },
      'msa-k8s-configmap': { 'bootstrap-servers': 'kafka:9092' },
    },
  });
  return { play, infra: kubePlayBackends(prefix) };
}
