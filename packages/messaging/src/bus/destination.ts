import { antPathMatch } from './ant-path-matcher.js';

/**
 * Spring Cloud Bus's `PathDestinationFactory`: no destination means everyone (`**`); a
 * destination with at most one `:` that does not already end in `:**` gets `:**` appended, so
 * `customers` addresses every instance of `customers` and `customers:9000` every instance whose
 * id starts with `customers:9000`.
 *
 * @example
 * normalizeDestination(undefined);          // '**'
 * normalizeDestination('customers');        // 'customers:**'
 * normalizeDestination('customers:9000');   // 'customers:9000:**'
 * normalizeDestination('customers:**');     // 'customers:**'
 * normalizeDestination('a:b:c');            // 'a:b:c'
 */
export function normalizeDestination(destination: string | null | undefined): string {
  const path = destination ?? '**';
  if (path === '**') return path;
  const colons = path.split(':').length - 1;
  return colons <= 1 && !path.toLowerCase().endsWith(':**') ? `${path}:**` : path;
}

/** Whether bus events are for this instance and whether they came from it. */
export interface ServiceMatcher {
  /** This instance's bus id (`spring.cloud.bus.id`). */
  readonly busId: string;
  /**
   * `PathServiceMatcher.isForSelf`: a `null` or blank destination is for everyone; otherwise it
   * is an Ant pattern matched against the bus id, then against each `spring.cloud.config.name`
   * followed by the id's `:<profiles>:<index>:<random>` part.
   */
  isForSelf(destinationService: string | null): boolean;
  /**
   * `PathServiceMatcher.isFromSelf`: Spring matches the event's origin *as a pattern* against
   * the bus id, so an origin such as `**` counts as every instance's own.
   */
  isFromSelf(originService: string | null): boolean;
}

/**
 * Spring Cloud Bus's `PathServiceMatcher` over `DefaultBusPathMatcher(new AntPathMatcher(":"))`:
 * when an id carries several profiles (`customers:dev,mysql:9000:…`) a pattern that fails is
 * tried again against the id with each single profile (`customers:dev:9000:…`).
 *
 * @example
 * const matcher = createServiceMatcher('customers:9000:3f2a');
 * matcher.isForSelf('customers:**'); // true
 * matcher.isForSelf('stores:**');    // false
 */
export function createServiceMatcher(
  busId: string,
  configNames: readonly string[] = [],
): ServiceMatcher {
  const colon = busId.indexOf(':');
  const suffix = colon >= 0 ? busId.slice(colon) : '';
  const names = configNames.map((name) => `${name}${suffix}`);
  return {
    busId,
    isForSelf(destination) {
      if (destination === null || destination.trim() === '') return true;
      return busPathMatch(destination, busId) || names.some((n) => busPathMatch(destination, n));
    },
    isFromSelf(origin) {
      return origin !== null && busPathMatch(origin, busId);
    },
  };
}

/** `DefaultBusPathMatcher.match`: the Ant match, then once per profile of a multi-profile id. */
export function busPathMatch(pattern: string, id: string): boolean {
  if (antPathMatch(pattern, id)) return true;
  const tokens = tokenizeTrimmed(id, ':');
  if (tokens.length <= 1) return false;
  const profiles = tokenizeTrimmed(tokens[1]!, ',');
  if (profiles.length <= 1) return false;
  return profiles.some((profile) =>
    antPathMatch(pattern, [tokens[0]!, profile, ...tokens.slice(2)].join(':')),
  );
}

/** `StringUtils.tokenizeToStringArray(text, delimiter)`: trimmed tokens, empty ones dropped. */
function tokenizeTrimmed(text: string, delimiter: string): string[] {
  return text
    .split(delimiter)
    .map((token) => token.trim())
    .filter((token) => token !== '');
}
