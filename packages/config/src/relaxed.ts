/**
 * Spring's relaxed binding, reduced to one comparison form: lower case with
 * dashes and underscores removed inside each segment, so `service-url.defaultZone`,
 * `serviceUrl.default-zone` and `SERVICEURL_DEFAULTZONE` (after env mapping) meet.
 */
export function uniformKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Maps an environment variable name to a property key the way Spring's
 * SystemEnvironmentPropertySource does: `_` separates segments, a purely
 * numeric segment is a list index (`MY_LIST_0_NAME` → `my.list[0].name`).
 */
export function environmentVariableToKey(name: string): string {
  const segments = name
    .toLowerCase()
    .split('_')
    .filter((s) => s !== '');
  let key = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment) && key) key += `[${segment}]`;
    else key += key ? `.${segment}` : segment;
  }
  return key;
}

/**
 * The environment variable names under which Spring looks a property up, in its order:
 * Spring Framework's `SystemEnvironmentPropertySource` (the name as-is, `.`→`_`, `-`→`_`, both,
 * then the same in upper case), then Spring Boot's `SystemEnvironmentPropertyMapper` (segments
 * in uniform form joined with `_`: `my.some-thing` → `MY_SOMETHING`, and its legacy form
 * `MY_SOME_THING`; `serviceUrl.defaultZone` → `SERVICEURL_DEFAULTZONE`; `list[0]` → `LIST_0`),
 * upper then lower case. Duplicates are dropped.
 *
 * @example
 * environmentVariableCandidates('order-service-url');
 * // ['order-service-url', 'order_service_url', 'ORDER-SERVICE-URL', 'ORDER_SERVICE_URL', 'ORDERSERVICEURL', …]
 */
export function environmentVariableCandidates(key: string): string[] {
  const out = new Set<string>();
  for (const name of [key, key.toUpperCase()]) {
    const noDot = name.replaceAll('.', '_');
    out.add(name);
    out.add(noDot);
    out.add(name.replaceAll('-', '_'));
    out.add(noDot.replaceAll('-', '_'));
  }
  const elements = key
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((e) => e !== '');
  const system = elements.map((e) => e.toLowerCase().replace(/[^a-z0-9]/g, '')).join('_');
  const legacy = elements.map((e) => e.replaceAll('-', '_')).join('_');
  for (const name of [system.toUpperCase(), legacy.toUpperCase(), system, legacy.toLowerCase()])
    out.add(name);
  return [...out];
}
