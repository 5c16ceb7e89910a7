// Real databases for the datasource tests: the machine's PostgreSQL (127.0.0.1:5432, user
// postgres) and MariaDB (127.0.0.1:3306, user root), a database of its own per test, dropped
// afterwards. Unreachable: the test skips with a reason, except on CI, where it fails.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import { createDataSource, type StandaloneDataSource } from '@stratus/boot';
import { startStack, type Stack } from '@stratus/cli';
import { call, freePort } from './support.js';

/** The database servers the tests use. */
export type ServerKind = 'postgresql' | 'mariadb';

/** How each server is reached. */
export const SERVERS: Readonly<
  Record<ServerKind, { port: number; user: string; admin: string; scheme: string }>
> = {
  postgresql: { port: 5432, user: 'postgres', admin: 'postgres', scheme: 'postgresql' },
  mariadb: { port: 3306, user: 'root', admin: '', scheme: 'mariadb' },
};

/** A fresh database on one of the servers. */
export interface TestDatabase {
  readonly kind: ServerKind;
  readonly name: string;
  /** The JDBC URL of the database (no credentials in it). */
  readonly url: string;
  readonly username: string;
  /** Flags that point an application at it. */
  readonly flags: string[];
  /** A pool on the database, for checks. */
  readonly db: StandaloneDataSource<any>['db'];
}

/** True when something answers on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether `kind` answers; when it does not, the test is skipped with a reason (on CI it fails:
 * `scripts/ensure-machine-services.sh` starts the servers there).
 */
export async function requireServer(t: TestContext, kind: ServerKind): Promise<boolean> {
  if (await isListening(SERVERS[kind].port)) return true;
  const reason = `${kind} is not running on 127.0.0.1:${SERVERS[kind].port} (scripts/ensure-machine-services.sh starts it)`;
  if (process.env.CI === 'true') throw new Error(reason);
  t.skip(reason);
  return false;
}

/** A database name no other test run uses. */
export function uniqueName(prefix = 'stratus_t'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The JDBC URL of `name` on `kind`'s server. */
export function jdbcUrl(kind: ServerKind, name: string, port = SERVERS[kind].port): string {
  return `jdbc:${SERVERS[kind].scheme}://127.0.0.1:${port}/${name}`;
}

/** Connects to the server's maintenance database (to create and drop others). */
export function adminDataSource(kind: ServerKind): StandaloneDataSource<any> {
  return createDataSource({
    url: jdbcUrl(kind, SERVERS[kind].admin),
    username: SERVERS[kind].user,
    pool: { maximumPoolSize: 1 },
  });
}

/** Creates a database of its own for this test on `kind`'s server; dropped after the test. */
export async function createTestDatabase(t: TestContext, kind: ServerKind): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = adminDataSource(kind);
  try {
    await sql`create database ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const url = jdbcUrl(kind, name);
  const username = SERVERS[kind].user;
  const pool = createDataSource({ url, username, pool: { maximumPoolSize: 4 } });
  t.after(async () => {
    await pool.close();
    await dropDatabases(kind, [name]);
  });
  return {
    kind,
    name,
    url,
    username,
    flags: [`--spring.datasource.url=${url}`, `--spring.datasource.username=${username}`],
    db: pool.db,
  };
}

/** Drops `names` (PostgreSQL: closing their connections first). */
export async function dropDatabases(kind: ServerKind, names: readonly string[]): Promise<void> {
  const admin = adminDataSource(kind);
  try {
    for (const name of names) {
      const drop =
        kind === 'postgresql'
          ? sql`drop database if exists ${sql.id(name)} with (force)`
          : sql`drop database if exists ${sql.id(name)}`;
      await drop.execute(admin.db);
    }
  } finally {
    await admin.close();
  }
}

/** The databases whose names start with `prefix`. */
export async function databasesLike(kind: ServerKind, prefix: string): Promise<string[]> {
  const admin = adminDataSource(kind);
  try {
    const query =
      kind === 'postgresql'
        ? sql<{
            name: string;
          }>`select datname as name from pg_database where datname like ${`${prefix}%`}`
        : sql<{
            name: string;
          }>`select schema_name as name from information_schema.schemata where schema_name like ${`${prefix}%`}`;
    return (await query.execute(admin.db)).rows.map((row) => row.name);
  } finally {
    await admin.close();
  }
}

/**
 * A TCP proxy on a loopback port in front of a database server: `down()` refuses new
 * connections and cuts the open ones (the database as a client sees it stopped or lost),
 * `up()` lets them through again. Closed after the test.
 */
export interface DatabaseProxy {
  readonly port: number;
  up(): Promise<void>;
  down(): Promise<void>;
}

export async function databaseProxy(t: TestContext, targetPort: number): Promise<DatabaseProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const up = async () => {
    if (server !== null) return;
    const listening = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    server = listening;
  };
  const down = async () => {
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (closing !== null) await new Promise((resolve) => closing.close(resolve));
  };
  t.after(down);
  return { port, up, down };
}

/** The Spring profile that puts the shop on `kind` (config-repo/application-<profile>.yml). */
export const SHOP_PROFILES: Readonly<Record<ServerKind, string>> = {
  postgresql: 'postgres',
  mariadb: 'mariadb',
};

/** The databases the shop's profiles name, after the prefix. */
export type ShopDatabaseName = 'users' | 'catalog' | 'orders';

/** The whole shop (`stratus up`) on one of the database servers, with databases of its own. */
export interface ShopOnDatabase {
  readonly stack: Stack;
  readonly gateway: string;
  /** Databases are `<prefix>users`, `<prefix>catalog`, `<prefix>orders`. */
  readonly prefix: string;
  /** A pool on one of the shop's databases, for checks (closed after the test). */
  db(name: ShopDatabaseName): StandaloneDataSource<any>['db'];
  /** The base URLs of the order-service instances, straight (not through the gateway). */
  orderInstances(): string[];
}

/** What {@link startShopOnDatabase} may change. */
export interface ShopOnDatabaseOptions {
  /** order-service instances. @default 1 */
  readonly orderInstances?: number;
  /** Extra Spring flags for every process. */
  readonly flags?: readonly string[];
  /** Where the services reach the server (e.g. a {@link databaseProxy}). @default the server's port */
  readonly port?: number;
}

/**
 * Starts the shop with `SPRING_PROFILES_ACTIVE=<kind's profile>` on a database prefix no other
 * run uses: the services create their databases (the profile's createDatabaseIfNotExist) and
 * migrate them. Stopped, and its databases dropped, after the test.
 */
export async function startShopOnDatabase(
  t: TestContext,
  kind: ServerKind,
  options: ShopOnDatabaseOptions = {},
): Promise<ShopOnDatabase> {
  const prefix = `${uniqueName('stratus_shop')}_`;
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-shopdb-'));
  const pools = new Map<ShopDatabaseName, StandaloneDataSource<any>>();
  let stack: Stack | null = null;
  t.after(async () => {
    const stoppingAt = Date.now();
    await stack?.stop();
    t.diagnostic(`shop stopped in ${Date.now() - stoppingAt} ms`);
    for (const pool of pools.values()) await pool.close();
    await dropDatabases(
      kind,
      (await databasesLike(kind, prefix)).filter((n) => n.startsWith(prefix)),
    );
    await rm(dataDir, { recursive: true, force: true });
  });
  const portVariable = kind === 'mariadb' ? 'MARIADB_PORT' : 'POSTGRES_PORT';
  const startedAt = Date.now();
  stack = await startStack({
    dataDir,
    registryPort: await freePort(),
    configPort: await freePort(),
    gatewayPort: await freePort(),
    instances: { 'order-service': options.orderInstances ?? 1 },
    flags: options.flags ?? [],
    env: {
      ...process.env,
      SPRING_PROFILES_ACTIVE: SHOP_PROFILES[kind],
      STRATUS_DB_PREFIX: prefix,
      [portVariable]: String(options.port ?? SERVERS[kind].port),
    },
    output: null,
  });
  t.diagnostic(`shop on ${kind} started in ${Date.now() - startedAt} ms`);
  const running = stack;
  return {
    stack: running,
    gateway: running.urls.gateway,
    prefix,
    db(name) {
      let pool = pools.get(name);
      if (pool === undefined) {
        pool = createDataSource({
          url: jdbcUrl(kind, `${prefix}${name}`),
          username: SERVERS[kind].user,
          pool: { maximumPoolSize: 2 },
        });
        pools.set(name, pool);
      }
      return pool.db;
    },
    orderInstances: () =>
      [...running.processes.values()]
        .filter((p) => p.name === 'order-service' && isAlive(p) && p.port !== null)
        .map((p) => `http://127.0.0.1:${p.port}`),
  };
}

/** Whether a stack process still runs (a killed one has a signal, not an exit code). */
export function isAlive(p: {
  child: { exitCode: number | null; signalCode: string | null };
}): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** A signed-up, logged-in shop user: its id and the `Authorization` header of its token. */
export async function signUpShopper(
  gateway: string,
  email: string,
): Promise<{ userId: string; auth: Record<string, string> }> {
  const pwd = 'datasource test pwd';
  const signup = await call<{ userId: string }>(`${gateway}/user-service/users`, {
    json: { email, name: 'Datasource Test', pwd },
  });
  if (signup.status !== 201) throw new Error(`sign-up answered ${signup.status}`);
  const login = await call<{ token: string }>(`${gateway}/user-service/login`, {
    json: { email, password: pwd },
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { userId: signup.body.userId, auth: { authorization: `Bearer ${login.body.token}` } };
}

/** The sum of a Prometheus counter's samples named `name` in `text` (all label sets). */
export function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** The `n` of a `select count(*) as n …` query. */
export async function countOf(
  db: StandaloneDataSource<any>['db'],
  query: ReturnType<typeof sql<{ n: number | string }>>,
): Promise<number> {
  return Number((await query.execute(db)).rows[0]!.n);
}
