import {
  withInstances,
  type Application,
  type Applications,
  type InstanceInfo,
  type PortInfo,
} from './model.js';
import { autoFields } from './auto-fields.js';
import { leaseInfoJson } from './write-json.js';

const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** Escapes text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** XStream's name coder: `$` → `_-`, `_` → `__`. Returns null when still not a safe element name. */
export function encodeXmlName(name: string): string | null {
  const encoded = name.replace(/_/g, '__').replace(/\$/g, '_-');
  return XML_NAME.test(encoded) ? encoded : null;
}

/** Reverse of {@link encodeXmlName}. */
export function decodeXmlName(name: string): string {
  return name.replace(/_(_|-)/g, (_match, c: string) => (c === '-' ? '$' : '_'));
}

const el = (name: string, value: string | number | boolean): string =>
  `<${name}>${escapeXml(String(value))}</${name}>`;

function port(name: string, info: PortInfo): string {
  return `<${name} enabled="${info.enabled ? 'true' : 'false'}">${info.port}</${name}>`;
}

function mapXml(name: string, map: Readonly<Record<string, string>>): string {
  const entries = Object.entries(map).flatMap(([key, value]) => {
    const tag = encodeXmlName(key);
    return tag === null ? [] : [el(tag, value)];
  });
  return entries.length === 0
    ? `<${name} class="java.util.Collections$EmptyMap"/>`
    : `<${name}>${entries.join('')}</${name}>`;
}

/**
 * One `<instance>…</instance>` in XStream form (spring-wire §1.4 / §1.7). Metadata keys that are
 * not XML names are left out.
 */
export function instanceToXml(instance: InstanceInfo): string {
  const parts: string[] = [];
  if (instance.instanceId !== '') parts.push(el('instanceId', instance.instanceId));
  parts.push(
    el('hostName', instance.hostName),
    el('app', instance.app),
    el('ipAddr', instance.ipAddr),
  );
  if (instance.sid !== null && instance.sid !== 'na' && instance.sid !== 'unknown')
    parts.push(el('sid', instance.sid));
  parts.push(
    el('status', instance.status),
    el('overriddenstatus', instance.overriddenStatus),
    port('port', instance.port),
    port('securePort', instance.securePort),
    el('countryId', instance.countryId),
  );
  const dc = instance.dataCenterInfo;
  const dcMeta = dc.metadata === undefined ? '' : mapXml('metadata', dc.metadata);
  parts.push(
    `<dataCenterInfo class="${escapeXml(dc.className)}">${el('name', dc.name)}${dcMeta}</dataCenterInfo>`,
  );
  const lease = Object.entries(leaseInfoJson(instance.leaseInfo)).map(([name, value]) =>
    el(name, value),
  );
  parts.push(`<leaseInfo>${lease.join('')}</leaseInfo>`);
  parts.push(mapXml('metadata', instance.metadata));
  for (const [name, value] of autoFields(instance)) parts.push(el(name, value));
  return `<instance>${parts.join('')}</instance>`;
}

/** `<application><name>…</name><instance>…</instance>…</application>` */
export function applicationToXml(application: Application): string {
  return `<application>${el('name', application.name)}${application.instances.map(instanceToXml).join('')}</application>`;
}

/** `<applications><versions__delta/><apps__hashcode/><application>…</applications>` */
export function applicationsToXml(
  applications: Applications,
  renderApplication: (application: Application) => string = applicationToXml,
): string {
  const apps = withInstances(applications).map(renderApplication);
  return (
    '<applications>' +
    el('versions__delta', applications.versionDelta) +
    el('apps__hashcode', applications.appsHashCode) +
    apps.join('') +
    '</applications>'
  );
}
