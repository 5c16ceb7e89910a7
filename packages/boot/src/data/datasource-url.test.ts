import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseDatasourceUrl, redactDatasourceUrl } from './datasource-url.js';
import { jdbcProperties } from './jdbc-properties.js';
import { checkDriverClass } from './driver-class.js';

/** The course's JDBC URL (seed, Kafka Connect and docker run sections). */
const SEED_URL =
  'jdbc:mysql://mysql-container:3306/mydb?useSSL=false&serverTimezone=Asia/Seoul&autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8&allowPublicKeyRetrieval=true';

function server(url: string) {
  const target = parseDatasourceUrl(url);
  assert.notEqual(target.kind, 'sqlite', url);
  if (target.kind === 'sqlite') throw new Error('unreachable');
  return target;
}

test('spring.datasource.url names an embedded SQLite file in the forms Spring users write', () => {
  assert.deepEqual(parseDatasourceUrl('jdbc:sqlite:./data/x.db'), { kind: 'sqlite', file: resolve('data/x.db') });
  assert.deepEqual(parseDatasourceUrl('jdbc:sqlite:///tmp/x.db'), { kind: 'sqlite', file: '/tmp/x.db' });
  assert.deepEqual(parseDatasourceUrl('sqlite::memory:'), { kind: 'sqlite', file: ':memory:' });
  assert.deepEqual(parseDatasourceUrl('data/y.db'), { kind: 'sqlite', file: resolve('data/y.db') });
  assert.deepEqual(parseDatasourceUrl('C:\\data\\z.db').kind, 'sqlite');
});

test('JDBC URLs of PostgreSQL, MariaDB and MySQL give host, port, database, user and parameters', () => {
  assert.deepEqual(server('jdbc:postgresql://db:5433/orders?sslmode=require&ApplicationName=shop'), {
    kind: 'postgresql',
    host: 'db',
    port: 5433,
    database: 'orders',
    user: undefined,
    password: undefined,
    params: { sslmode: 'require', ApplicationName: 'shop' },
  });
  const pgjdbcShort = server('jdbc:postgresql:orders');
  assert.deepEqual([pgjdbcShort.host, pgjdbcShort.port, pgjdbcShort.database], ['localhost', 5432, 'orders']);
  const seed = server(SEED_URL);
  assert.deepEqual([seed.kind, seed.host, seed.port, seed.database], ['mysql', 'mysql-container', 3306, 'mydb']);
  const mariadb = server('jdbc:mariadb://[::1]/shop?user=app&password=s%40cret');
  assert.deepEqual([mariadb.kind, mariadb.host, mariadb.port, mariadb.user, mariadb.password], ['mariadb', '::1', 3306, 'app', 's@cret']);
  const userInfo = server('mysql://root:pa:ss@127.0.0.1:3307/mydb');
  assert.deepEqual([userInfo.user, userInfo.password, userInfo.port], ['root', 'pa:ss', 3307]);
  assert.equal(server('jdbc:postgres://h/x').kind, 'postgresql');
});

test('H2 is refused with the URL to use instead; other unreadable URLs are refused clearly', () => {
  assert.throws(() => parseDatasourceUrl('jdbc:h2:tcp://localhost/~/testdb'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
    assert.match(error.message, /H2 is a Java database and runs only in a JVM/);
    assert.match(error.message, /jdbc:sqlite:/);
    assert.match(error.message, /jdbc:postgresql:\/\/host:5432\/db/);
    return true;
  });
  const refused: Array<[string, RegExp]> = [
    ['jdbc:oracle:thin:@db:1521:x', /expected jdbc:sqlite/],
    ['jdbc:sqlite:', /names no file/],
    ['jdbc:postgresql://a:5432,b:5432/db', /several hosts/],
    ['jdbc:mysql:loadbalance://a,b/db', /loadbalance mode/],
    ['jdbc:mariadb://db:99999/x', /port/],
    ['jdbc:postgresql://db/%zz', /%-escape/],
  ];
  for (const [url, why] of refused)
    assert.throws(() => parseDatasourceUrl(url), { code: 'BOOT_ERR_DATASOURCE', message: why }, url);
});

test('messages and logs never show credentials from the URL', () => {
  assert.equal(
    redactDatasourceUrl('jdbc:mysql://root:secret@db:3306/mydb?user=root&password=test1234'),
    'jdbc:mysql://***@db:3306/mydb?user=***&password=***',
  );
  assert.throws(
    () => parseDatasourceUrl('jdbc:postgresql://u:hunter2@a,b/db'),
    (error: Error) => !error.message.includes('hunter2'),
  );
});

test("the course's MySQL parameters are accepted and the meaningful ones honoured", () => {
  const properties = jdbcProperties(server(SEED_URL));
  assert.equal(properties.tls, false, 'useSSL=false');
  assert.equal(properties.timezone, '+09:00', 'Asia/Seoul as the fixed offset mysql2 takes');
  assert.deepEqual(properties.ignored, [], 'nothing unknown: the rest is what mysql2 always does');
  assert.equal(properties.createDatabaseIfNotExist, false);
  const utc = jdbcProperties(server('jdbc:mysql://h/db?serverTimezone=UTC&useSSL=true&createDatabaseIfNotExist=true&rewriteBatchedStatements=true'));
  assert.equal(utc.timezone, 'Z');
  assert.deepEqual(utc.tls, { rejectUnauthorized: true });
  assert.equal(utc.createDatabaseIfNotExist, true);
  assert.deepEqual(utc.ignored, ['rewriteBatchedStatements']);
});

test('TLS and timeouts map from each driver’s own parameter names and units', () => {
  const pg = (query: string) => jdbcProperties(server(`jdbc:postgresql://h/db?${query}`));
  assert.equal(pg('sslmode=prefer').tls, false);
  assert.deepEqual(pg('sslmode=require').tls, { rejectUnauthorized: false });
  assert.deepEqual(pg('ssl=true').tls, { rejectUnauthorized: true }, "pgjdbc's ssl=true is verify-full");
  assert.equal(pg('connectTimeout=3').connectTimeoutMs, 3_000, 'pgjdbc counts seconds');
  assert.equal(pg('socketTimeout=7').statementTimeoutMs, 7_000);
  assert.equal(pg('currentSchema=shop').currentSchema, 'shop');
  const maria = (query: string) => jdbcProperties(server(`jdbc:mariadb://h/db?${query}`));
  assert.equal(maria('connectTimeout=2500').connectTimeoutMs, 2_500, 'MariaDB counts milliseconds');
  assert.deepEqual(maria('sslMode=trust').tls, { rejectUnauthorized: false });
  assert.deepEqual(maria('sslMode=verify-full').tls, { rejectUnauthorized: true });
  assert.deepEqual(jdbcProperties(server('jdbc:mysql://h/db?sslMode=REQUIRED')).tls, { rejectUnauthorized: false });
});

test('parameters a Node driver cannot honour are refused, each named', () => {
  assert.throws(
    () => jdbcProperties(server('jdbc:mysql://h/db?characterEncoding=latin1&connectTimeout=soon&sslMode=SOMETIMES')),
    (error: Error & { code?: string; details?: { problems?: string[] } }) => {
      assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
      assert.equal(error.details?.problems?.length, 3);
      assert.match(error.message, /characterEncoding=latin1: only UTF-8/);
      return true;
    },
  );
  assert.throws(() => jdbcProperties(server('jdbc:postgresql://h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem')), /sslrootcert/);
});

test('driver-class-name is checked against the URL as DriverManager would', () => {
  checkDriverClass(undefined, 'postgresql');
  checkDriverClass('org.postgresql.Driver', 'postgresql');
  checkDriverClass('org.mariadb.jdbc.Driver', 'mysql');
  checkDriverClass('com.mysql.cj.jdbc.Driver', 'mysql');
  assert.throws(() => checkDriverClass('org.h2.Driver', 'sqlite'), /H2 runs only in a JVM/);
  assert.throws(() => checkDriverClass('com.mysql.cj.jdbc.Driver', 'postgresql'), /does not accept a postgresql URL/);
  assert.throws(() => checkDriverClass('oracle.jdbc.OracleDriver', 'mysql'), /has no Node driver/);
});
