import { readFileSync } from 'node:fs';
import { BootErrors } from '../errors.js';
import { paramOf, type ServerTarget } from './datasource-url.js';

/** TLS towards the server: off, or on with or without checking its certificate. */
export type TlsSetting = false | { readonly rejectUnauthorized: boolean; readonly ca?: string };

/** What the URL's query parameters mean for a Node driver, validated once. */
export interface JdbcProperties {
  readonly tls: TlsSetting;
  /** Time to open one connection, ms (`connectTimeout`, `loginTimeout`). */
  readonly connectTimeoutMs: number | undefined;
  /** Longest a statement may run, ms (pgjdbc's `socketTimeout`); PostgreSQL only. */
  readonly statementTimeoutMs: number | undefined;
  /** `ApplicationName` (pgjdbc): shown in `pg_stat_activity`. */
  readonly applicationName: string | undefined;
  /** `currentSchema` (pgjdbc): the `search_path`. */
  readonly currentSchema: string | undefined;
  /** `serverTimezone` / `connectionTimeZone` as a fixed offset (`Z`, `+09:00`) for mysql2. */
  readonly timezone: string | undefined;
  /** `tcpKeepAlive` (pgjdbc). */
  readonly keepAlive: boolean;
  /** `createDatabaseIfNotExist` (Connector/J; Stratus honours it on PostgreSQL too). */
  readonly createDatabaseIfNotExist: boolean;
  /** Parameters accepted without an effect in Node (names only: values may be secret). */
  readonly ignored: readonly string[];
}

/**
 * Parameters that need no translation: the Node drivers always behave this way
 * (`useUnicode`, `characterEncoding=UTF-8` — mysql2 speaks utf8mb4; `autoReconnect` — the pool
 * replaces broken connections; `allowPublicKeyRetrieval` — mysql2 fetches the RSA key when
 * `caching_sha2_password` needs it) or that only a JDBC driver reads.
 */
const ALWAYS_SO = new Set(
  ['useUnicode', 'autoReconnect', 'allowPublicKeyRetrieval', 'user', 'password', 'prepareThreshold']
    .map((name) => name.toLowerCase()),
);

const HONOURED: Readonly<Record<ServerTarget['kind'], readonly string[]>> = {
  postgresql: [
    'ssl', 'sslmode', 'sslrootcert', 'connectTimeout', 'loginTimeout', 'socketTimeout',
    'ApplicationName', 'currentSchema', 'tcpKeepAlive', 'createDatabaseIfNotExist',
  ],
  mysql: [
    'useSSL', 'requireSSL', 'sslMode', 'verifyServerCertificate', 'connectTimeout',
    'serverTimezone', 'connectionTimeZone', 'characterEncoding', 'createDatabaseIfNotExist',
  ],
  mariadb: [
    'useSsl', 'useSSL', 'sslMode', 'serverSslCert', 'trustServerCertificate', 'connectTimeout',
    'serverTimezone', 'connectionTimeZone', 'characterEncoding', 'createDatabaseIfNotExist',
  ],
};

/**
 * Reads the JDBC parameters of `target` that mean something to the Node drivers: TLS
 * (`ssl`/`sslmode` for pgjdbc, `useSSL`/`sslMode`/`verifyServerCertificate` for Connector/J,
 * `useSsl`/`sslMode` for MariaDB's), timeouts, `serverTimezone`, `characterEncoding` (UTF-8 only),
 * `ApplicationName`, `currentSchema`, `createDatabaseIfNotExist`. Others are accepted and
 * listed in `ignored`, as JDBC drivers ignore properties they do not know.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` naming each parameter with a value the driver
 *   cannot honour (`characterEncoding=latin1`, `connectTimeout=soon`, an unreadable `sslrootcert`).
 */
export function jdbcProperties(target: ServerTarget): JdbcProperties {
  const problems: string[] = [];
  const param = (name: string) => paramOf(target.params, name);
  const isPg = target.kind === 'postgresql';
  const ignored = Object.keys(target.params).filter((name) => {
    const lower = name.toLowerCase();
    return !ALWAYS_SO.has(lower) && !HONOURED[target.kind].some((h) => h.toLowerCase() === lower);
  });
  const encoding = param('characterEncoding');
  if (encoding !== undefined && !/^utf-?8(mb4)?$/i.test(encoding))
    problems.push(`characterEncoding=${encoding}: only UTF-8 is supported (mysql2 speaks utf8mb4)`);
  // pgjdbc counts its timeouts in seconds, Connector/J and MariaDB's driver in milliseconds.
  const unitMs = isPg ? 1000 : 1;
  const connectTimeoutMs =
    number(param('connectTimeout'), 'connectTimeout', unitMs, problems) ??
    (isPg ? number(param('loginTimeout'), 'loginTimeout', 1000, problems) : undefined);
  const statementTimeoutMs = isPg
    ? number(param('socketTimeout'), 'socketTimeout', 1000, problems)
    : undefined;
  const properties: JdbcProperties = {
    tls: isPg ? postgresTls(param, problems) : mysqlTls(target.kind, param, problems),
    connectTimeoutMs: connectTimeoutMs === 0 ? undefined : connectTimeoutMs,
    statementTimeoutMs: statementTimeoutMs === 0 ? undefined : statementTimeoutMs,
    applicationName: isPg ? param('ApplicationName') : undefined,
    currentSchema: isPg ? param('currentSchema') : undefined,
    timezone: isPg ? undefined : timezone(param('connectionTimeZone') ?? param('serverTimezone'), problems),
    keepAlive: isPg ? flag(param('tcpKeepAlive')) === true : true,
    createDatabaseIfNotExist: flag(param('createDatabaseIfNotExist')) === true,
    ignored,
  };
  if (problems.length > 0)
    throw BootErrors.DATASOURCE({
      message: `spring.datasource.url has parameters the driver cannot honour: ${problems.join('; ')}`,
      details: { problems },
    });
  return properties;
}

function postgresTls(param: (name: string) => string | undefined, problems: string[]): TlsSetting {
  const mode = param('sslmode')?.toLowerCase() ?? (flag(param('ssl')) ? 'verify-full' : 'disable');
  // pg cannot fall back from TLS to plain text, so `allow` and `prefer` connect without TLS.
  if (['disable', 'allow', 'prefer'].includes(mode)) return false;
  if (!['require', 'verify-ca', 'verify-full'].includes(mode)) {
    problems.push(`sslmode=${mode}: expected disable, allow, prefer, require, verify-ca or verify-full`);
    return false;
  }
  return withCa({ rejectUnauthorized: mode !== 'require' }, param('sslrootcert'), 'sslrootcert', problems);
}

function mysqlTls(
  kind: ServerTarget['kind'],
  param: (name: string) => string | undefined,
  problems: string[],
): TlsSetting {
  const mode = param('sslMode')?.toLowerCase().replace(/_/g, '-');
  const useSsl = flag(param('useSSL') ?? param('useSsl')) ?? flag(param('requireSSL'));
  if (mode === 'disable' || mode === 'disabled' || mode === 'preferred') return false;
  if (mode === 'trust' || mode === 'required') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full' || mode === 'verify-identity')
    return withCa({ rejectUnauthorized: true }, param('serverSslCert'), 'serverSslCert', problems);
  if (mode !== undefined) {
    problems.push(
      `sslMode=${mode}: expected ${kind === 'mariadb' ? 'disable, trust, verify-ca or verify-full' : 'DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY'}`,
    );
    return false;
  }
  if (useSsl !== true) return false;
  const verify =
    flag(param('verifyServerCertificate')) ?? !(flag(param('trustServerCertificate')) ?? false);
  return withCa({ rejectUnauthorized: verify }, param('serverSslCert'), 'serverSslCert', problems);
}

function withCa(
  tls: { rejectUnauthorized: boolean },
  file: string | undefined,
  name: string,
  problems: string[],
): TlsSetting {
  if (file === undefined) return tls;
  try {
    return { ...tls, ca: readFileSync(file.replace(/^file:/, ''), 'utf8') };
  } catch {
    problems.push(`${name}: the certificate file cannot be read`);
    return tls;
  }
}

/** Connector/J's `serverTimezone` as mysql2 takes it: `Z` or a fixed `±hh:mm` offset. */
function timezone(zone: string | undefined, problems: string[]): string | undefined {
  if (zone === undefined || zone === '' || /^local$/i.test(zone)) return undefined;
  if (/^(utc|gmt|z|etc\/utc)$/i.test(zone)) return 'Z';
  if (/^[+-]\d{2}:\d{2}$/.test(zone)) return zone;
  try {
    // An IANA zone (Asia/Seoul, the course's) becomes its offset now: mysql2 takes only offsets.
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
    const offset = /GMT([+-]\d{2}:\d{2})?/.exec(part ?? '');
    return offset ? (offset[1] ?? 'Z') : undefined;
  } catch {
    problems.push(`serverTimezone=${zone}: not a time zone`);
    return undefined;
  }
}

function number(value: string | undefined, name: string, unitMs: number, problems: string[]) {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    problems.push(`${name}=${value}: expected a number of ${unitMs === 1 ? 'milliseconds' : 'seconds'}`);
    return undefined;
  }
  return parsed * unitMs;
}

/** JDBC's boolean spellings. */
function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(true|yes|1|on|)$/i.test(value)) return true;
  if (/^(false|no|0|off)$/i.test(value)) return false;
  return undefined;
}
