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
