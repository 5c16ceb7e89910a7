import { resolve } from 'node:path';
import { BootErrors } from '../errors.js';

/** The database products `spring.datasource.url` can name. */
export type DatasourceKind = 'sqlite' | 'postgresql' | 'mysql' | 'mariadb';

/** An embedded SQLite file. */
export interface SqliteTarget {
  readonly kind: 'sqlite';
  /** Absolute file path, or `:memory:`. */
  readonly file: string;
}

/** A database server, as a JDBC URL names it. */
export interface ServerTarget {
  readonly kind: 'postgresql' | 'mysql' | 'mariadb';
  readonly host: string;
  readonly port: number;
  /** The database (catalog) name; empty when the URL names none. */
  readonly database: string;
  /** User from the URL's user info or its `user` parameter. */
  readonly user: string | undefined;
  /** Password from the URL's user info or its `password` parameter. */
  readonly password: string | undefined;
  /** The query parameters, names as written, values decoded (`useSSL`, `sslmode`, …). */
  readonly params: Readonly<Record<string, string>>;
}

/** Where a datasource points, parsed from `spring.datasource.url`. */
export type DatasourceTarget = SqliteTarget | ServerTarget;

const SERVER_SCHEMES: Readonly<Record<string, ServerTarget['kind']>> = {
  postgresql: 'postgresql',
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mariadb',
};

/** Each product's default port (pgjdbc, Connector/J, MariaDB Connector/J). */
export const DEFAULT_PORTS: Readonly<Record<ServerTarget['kind'], number>> = {
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
};

/** The forms Spring users write for the embedded database and the servers. */
const EMBEDDED_HINT = 'jdbc:sqlite:./data/<name>.db (or leave spring.datasource.url unset)';
const SERVER_HINT =
  'jdbc:postgresql://host:5432/db, jdbc:mariadb://host:3306/db or jdbc:mysql://host:3306/db';

/**
 * Parses a JDBC URL the way a Spring user writes it: `jdbc:sqlite:./data/x.db` (or `sqlite:`,
 * or a plain file path) is an embedded SQLite file, resolved against the working folder;
 * `jdbc:postgresql://host:5432/db?sslmode=require`, `jdbc:postgresql:db`,
 * `jdbc:mariadb://host/db?useSsl=true`, `jdbc:mysql://user:pw@host:3306/db?useSSL=false`
 * (with or without `jdbc:`) name a server.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for a URL no dialect reads (`jdbc:h2:` included,
 *   naming the URL to use instead; several hosts; a bad port); the message never shows
 *   credentials.
 */
export function parseDatasourceUrl(url: string): DatasourceTarget {
  const text = url.trim();
  const sqlite = /^(?:jdbc:)?sqlite:(.*)$/i.exec(text);
  if (sqlite) {
    const path = sqlite[1]!.replace(/\?.*$/, '');
    if (path === ':memory:') return { kind: 'sqlite', file: ':memory:' };
    if (path.trim() === '') throw unsupported(url, 'it names no file');
    // `jdbc:sqlite:///abs/x.db` is the absolute path /abs/x.db.
    return { kind: 'sqlite', file: resolve(path.replace(/^\/\/(?=\/)/, '')) };
  }
  if (/^jdbc:h2:/i.test(text))
    throw unsupported(
      url,
      `H2 is a Java database and runs only in a JVM; use ${EMBEDDED_HINT} for an embedded database, or ${SERVER_HINT}`,
    );
  const server = /^(?:jdbc:)?([a-z][a-z0-9]*)(:[a-z:]+)?:(.*)$/i.exec(text);
  const kind = server ? SERVER_SCHEMES[server[1]!.toLowerCase()] : undefined;
  if (server && kind !== undefined) {
    if (server[2] !== undefined)
      throw unsupported(url, `the ${server[2].slice(1)} mode of the Java driver has no Node driver; name one host`);
    return parseServer(url, kind, server[3]!);
  }
  const isWindowsDrive = /^[A-Za-z]:[\\/]/.test(text);
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !isWindowsDrive)
    throw unsupported(url, `expected ${EMBEDDED_HINT}, or ${SERVER_HINT}`);
  if (text === '') throw unsupported(url, 'it is empty');
  return { kind: 'sqlite', file: resolve(text) };
}

/** `rest` is what follows `jdbc:<scheme>:`: `//authority/db?query` or `db?query` (pgjdbc). */
function parseServer(url: string, kind: ServerTarget['kind'], rest: string): ServerTarget {
  const form = /^(?:\/\/([^/?#]*))?\/?([^?#]*)(?:\?([^#]*))?$/.exec(rest);
  if (!form) throw unsupported(url, `expected ${SERVER_HINT}`);
  const [, authority = '', path = '', query = ''] = form;
  const params = parseQuery(url, query);
  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at) : '';
  const hostList = at >= 0 ? authority.slice(at + 1) : authority;
  if (hostList.includes(','))
    throw unsupported(url, 'it names several hosts; the Node drivers connect to one (use a proxy or a virtual address for failover)');
  const { host, port } = parseHost(url, hostList, DEFAULT_PORTS[kind]);
  const [infoUser, ...infoPassword] = userInfo === '' ? [] : userInfo.split(':');
  return {
    kind,
    host,
    port,
    database: decode(url, path),
    user: paramOf(params, 'user') ?? (infoUser === undefined ? undefined : decode(url, infoUser)),
    password:
      paramOf(params, 'password') ??
      (infoPassword.length > 0 ? decode(url, infoPassword.join(':')) : undefined),
    params,
  };
}

function parseHost(url: string, text: string, defaultPort: number): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(text);
  if (!match) throw unsupported(url, 'its host is not host[:port]');
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw unsupported(url, 'its port is not between 1 and 65535');
  return { host, port };
}

function parseQuery(url: string, query: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(url, eq < 0 ? pair : pair.slice(0, eq));
    params[name] = eq < 0 ? '' : decode(url, pair.slice(eq + 1));
  }
  return params;
}

/** A query parameter by name, ignoring case (Connector/J matches `useSSL` and `usessl`). */
export function paramOf(params: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    throw unsupported(url, 'it holds a malformed %-escape');
  }
}

/** `url` fit for a log line or an error: user info and `password=` parameters masked. */
export function redactDatasourceUrl(url: string): string {
  return url
    .replace(/\/\/[^@/?#]*@/, '//***@')
    .replace(/([?&;](?:password|pwd|user|username)=)[^&;]*/gi, '$1***');
}

function unsupported(url: string, why: string) {
  return BootErrors.DATASOURCE({
    message: `spring.datasource.url '${redactDatasourceUrl(url)}' is not supported: ${why}`,
  });
}
