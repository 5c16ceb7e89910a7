import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PredicateContext } from '../exchange.js';
import type { NormalizedTarget } from './normalize-path.js';
import type { RouteTable } from './types.js';

export function parseCookies(header: string | undefined): Map<string, string[]> {
  const cookies = new Map<string, string[]>();
  if (header === undefined) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    const list = cookies.get(name);
    if (list) list.push(value);
    else cookies.set(name, [value]);
  }
  return cookies;
}

/** Picks one member of a normalised weight group with one uniform draw (WeightCalculatorWebFilter). */
function drawWeighted(table: RouteTable, group: string, random: () => number): string | undefined {
  const members = table.weightGroups.get(group);
  if (members === undefined || members.length === 0) return undefined;
  const r = random();
  let sum = 0;
  for (const member of members) {
    sum += member.weight;
    if (r < sum) return member.routeKey;
  }
  return members[members.length - 1]?.routeKey;
}

/** The request-wide inputs of matching besides the request itself. */
export interface MatchEnvironment {
  readonly nowMs: number;
  readonly peerAddress: string;
  readonly isTrustedPeer: boolean;
  readonly random: () => number;
}

const NO_VARIABLES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * What predicates see of one request; query, cookies and weight draws are computed on first
 * use, and the URI variables of a route only when a predicate captures some.
 */
export class MatchContext implements PredicateContext {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly nowMs: number;
  readonly peerAddress: string;
  readonly isTrustedPeer: boolean;
  readonly #table: RouteTable;
  readonly #random: () => number;
  #variables: Record<string, string> | null = null;
  #query: URLSearchParams | undefined;
  #cookies: Map<string, string[]> | undefined;
  #weights: Map<string, string | undefined> | undefined;

  constructor(
    raw: IncomingMessage,
    target: NormalizedTarget,
    table: RouteTable,
    environment: MatchEnvironment,
  ) {
    this.method = raw.method ?? 'GET';
    this.path = target.path;
    this.rawQuery = target.query;
    this.headers = raw.headers;
    this.nowMs = environment.nowMs;
    this.peerAddress = environment.peerAddress;
    this.isTrustedPeer = environment.isTrustedPeer;
    this.#table = table;
    this.#random = environment.random;
  }

  /** The variables captured for the route being tried (created when a predicate writes one). */
  get uriVariables(): Record<string, string> {
    return (this.#variables ??= {});
  }

  /** Forgets the variables of the previous route. */
  resetVariables(): void {
    this.#variables = null;
  }

  /** The variables the matched route captured. */
  capturedVariables(): Readonly<Record<string, string>> {
    return this.#variables ?? NO_VARIABLES;
  }

  query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.rawQuery));
  }

  cookies(): Map<string, string[]> {
    return (this.#cookies ??= parseCookies(this.headers.cookie));
  }

  weightChoice(group: string): string | undefined {
    this.#weights ??= new Map();
    if (!this.#weights.has(group))
      this.#weights.set(group, drawWeighted(this.#table, group, this.#random));
    return this.#weights.get(group);
  }
}

/** The first route whose predicates all match, with the URI variables they captured. */
export function matchRoute<
  R extends { readonly predicates: readonly ((c: PredicateContext) => boolean)[] },
>(routes: readonly R[], context: MatchContext): R | undefined {
  for (const candidate of routes) {
    context.resetVariables();
    let matches = true;
    for (const predicate of candidate.predicates) {
      if (!predicate(context)) {
        matches = false;
        break;
      }
    }
    if (matches) return candidate;
  }
  return undefined;
}
