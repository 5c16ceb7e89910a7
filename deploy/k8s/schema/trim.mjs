// Makes kubernetes-definitions.json: the OpenAPI v2 definitions of the kinds deploy/k8s uses and
// of everything they reference, from a Kubernetes swagger.json (Kubernetes' own
// api/openapi-spec/swagger.json, or kubernetes-client/python's kubernetes/swagger.json.unprocessed).
// Descriptions are dropped (they are most of the size); types, formats, required fields, enums
// and x-kubernetes-group-version-kind are kept. Run Prettier on the output afterwards.
//   node deploy/k8s/schema/trim.mjs <swagger.json> <source note>
import { readFileSync, writeFileSync } from 'node:fs';

const KINDS = [
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.policy.v1.PodDisruptionBudget',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  'io.k8s.api.networking.k8s.io.v1.Ingress',
  'io.k8s.api.networking.v1.Ingress',
];

const [file, source] = process.argv.slice(2);
if (!file || !source) throw new Error('usage: trim.mjs <swagger.json> <source note>');
const { definitions } = JSON.parse(readFileSync(file, 'utf8'));
const kept = {};
const strip = (node) => {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description') continue;
    if (k === '$ref') visit(String(v).replace('#/definitions/', ''));
    out[k] = strip(v);
  }
  return out;
};
function visit(name) {
  if (name in kept || !(name in definitions)) return;
  kept[name] = {};
  kept[name] = strip(definitions[name]);
}
for (const kind of KINDS) visit(kind);
const sorted = Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  new URL('kubernetes-definitions.json', import.meta.url),
  `${JSON.stringify({ source, definitions: sorted }, null, 1)}\n`,
);
console.log(`${Object.keys(sorted).length} definitions`);
