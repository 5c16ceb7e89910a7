import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createLoggingSystem,
  createLogger,
  createSilentLogger,
  loggingSystemOf,
  parseLogLevel,
  springLevelName,
  LevelTree,
  isStratusError,
  type LoggingSystemOptions,
} from './index.js';

function capture(
  t: TestContext,
  options: Partial<LoggingSystemOptions> = {},
): { system: ReturnType<typeof createLoggingSystem>; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const system = createLoggingSystem({ name: 'demo', destination, ...options });
  t.after(() => system.close());
  return { system, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

test("Spring's level names map to pino's case-insensitively, OFF and YAML's false to silent", () => {
  assert.equal(parseLogLevel('TRACE'), 'trace');
  assert.equal(parseLogLevel('debug'), 'debug');
  assert.equal(parseLogLevel(' Info '), 'info');
  assert.equal(parseLogLevel('WARN'), 'warn');
  assert.equal(parseLogLevel('error'), 'error');
  assert.equal(parseLogLevel('FATAL'), 'fatal');
  assert.equal(parseLogLevel('OFF'), 'silent');
  assert.equal(parseLogLevel(false), 'silent');
  assert.equal(parseLogLevel('verbose'), null);
  assert.equal(parseLogLevel('WARNING'), null);
  assert.equal(parseLogLevel(3), null);
  assert.equal(springLevelName('silent'), 'OFF');
  assert.equal(springLevelName('warn'), 'WARN');
});

test('the most specific dotted prefix with a level wins, else the root level', () => {
  const tree = new LevelTree('info', [
    ['com.example', 'debug'],
    ['com.example.web', 'warn'],
    ['http-client', 'trace'],
  ]);
  assert.equal(tree.levelFor('com.example'), 'debug');
  assert.equal(tree.levelFor('com.example.repo.Users'), 'debug');
  assert.equal(tree.levelFor('com.example.web.Controller'), 'warn');
  assert.equal(tree.levelFor('com.examples'), 'info', 'a prefix is matched on segment boundaries');
  assert.equal(tree.levelFor('org.other'), 'info');
  assert.equal(tree.levelFor('HTTP_CLIENT'), 'trace', 'names match as relaxed binding does');
  assert.equal(tree.levelFor(undefined), 'info');
});

test('levels by component name apply to existing and new child loggers and change live', (t) => {
  const { system, lines } = capture(t);
  const web = system.logger.child({ component: 'com.example.web' });
  const repo = system.logger.child({ component: 'com.example.repo' });
  const request = web.child({ reqId: 'r1' });
  web.debug('web debug 1');
  system.setLevels('INFO', { 'com.example': 'DEBUG', 'com.example.repo': 'warn' });
  web.debug('web debug 2');
  request.debug('request debug 2');
  repo.info('repo info 2');
  repo.warn('repo warn 2');
  const later = system.logger.child({ component: 'com.example.late' });
  later.debug('late debug 2');
  system.logger.debug('root debug 2');
  system.setLevels('info');
  web.debug('web debug 3');
  later.debug('late debug 3');
  system.setLevels('ERROR');
  system.logger.warn('root warn 4');
  request.warn('request warn 4');
  system.setLevels('OFF');
  system.logger.fatal('root fatal 5');
  const messages = lines().map((line) => (JSON.parse(line) as { msg: string }).msg);
  assert.deepEqual(messages, ['web debug 2', 'request debug 2', 'repo warn 2', 'late debug 2']);
  assert.equal(system.effectiveLevel('com.example.web'), 'silent');
});

test('a child that names another component follows its own name, not its parent object', (t) => {
  const { system, lines } = capture(t, { level: 'info', levels: { registry: 'debug' } });
  const registry = system.logger.child({ component: 'registry' });
  const api = registry.child({ component: 'eureka-api' });
  registry.debug('registry debug');
  api.debug('api debug');
  assert.deepEqual(
    lines().map((line) => (JSON.parse(line) as { msg: string }).msg),
    ['registry debug'],
  );
  assert.deepEqual(system.loggerNames(), ['eureka-api', 'registry']);
});

test('run-time levels (actuator loggers) win over configured ones until cleared', (t) => {
  const { system } = capture(t, { levels: { web: 'warn' } });
  system.setLoggerLevel('web', 'trace');
  system.setLevels('info', { web: 'error' });
  assert.equal(system.effectiveLevel('web'), 'trace');
  system.setLoggerLevel('web', null);
  assert.equal(system.effectiveLevel('web'), 'error');
  system.setLoggerLevel('ROOT', 'debug');
  assert.equal(system.effectiveLevel(), 'debug');
  assert.equal(system.configuredLevel('web'), 'error');
});

test('an unknown level is refused with the name and what was expected', (t) => {
  const { system } = capture(t);
  assert.throws(
    () => system.setLevels('info', { 'com.example': 'verbose' }),
    (error: unknown) =>
      isStratusError(error) &&
      error.code === 'CORE_ERR_INVALID_LOGGING' &&
      /com\.example: 'verbose' is not a level; expected TRACE, DEBUG, INFO, WARN, ERROR, FATAL or OFF/.test(
        error.message,
      ),
  );
  assert.throws(() => createLogger({ name: 'x', level: 'loud' }), /'loud' is not a level/);
});

test('secrets are redacted in JSON lines and in patterns alike', (t) => {
  const secret = 'hunter2-canary';
  const json = capture(t);
  const text = capture(t, { console: { format: 'text', pattern: '%p %m %X{password}%n' } });
  for (const { system } of [json, text]) {
    system.logger.info(
      { password: secret, token: secret, headers: { authorization: `Bearer ${secret}` } },
      'signed in',
    );
  }
  assert.doesNotMatch(json.lines().join('\n'), /hunter2/);
  assert.doesNotMatch(text.lines().join('\n'), /hunter2/);
  assert.match(
    text.lines()[0]!,
    /^INFO signed in token="\[redacted\]" headers=\{"authorization":"\[redacted\]"\} \[redacted\]$/,
  );
});

test('the context provider feeds %X{traceId} and JSON fields; call fields win over it', (t) => {
  const { system, lines } = capture(t, {
    console: { format: 'text', pattern: '[%X{traceId:-},%X{spanId:-}] %m%n' },
  });
  system.logger.info('before');
  system.setContext(() => ({ traceId: 't-1', spanId: 's-1' }));
  system.logger.info('during');
  system.logger.info({ spanId: 's-own' }, 'own span');
  system.setContext(undefined);
  system.logger.info('after');
  assert.deepEqual(lines(), [
    '[,] before',
    '[t-1,s-1] during',
    '[t-1,s-own] own span',
    '[,] after',
  ]);
});

test('loggingSystemOf finds the system behind its logger and any child, and nothing for others', (t) => {
  const { system, lines } = capture(t, {
    console: { format: 'text', pattern: '%X{traceId:-none} %m%n' },
  });
  const child = system.logger.child({ component: 'web' }).child({ reqId: 'r1' });
  assert.equal(loggingSystemOf(child), system);
  assert.equal(loggingSystemOf(createSilentLogger()), undefined);
  loggingSystemOf(child)?.setContext(() => ({ traceId: 'abc' }));
  child.info('traced');
  assert.deepEqual(lines(), ['abc traced reqId=r1']);
});

test('configureOutput switches between JSON and a pattern, and a bad pattern keeps the old output', (t) => {
  const { system, lines } = capture(t);
  system.logger.info('json');
  system.configureOutput({
    console: { format: 'text', pattern: '%-5p %logger %m%n' },
    applicationName: 'demo',
  });
  system.logger.info('text');
  assert.throws(
    () => system.configureOutput({ console: { format: 'text', pattern: '%nope' } }),
    /console pattern: %nope is not a conversion word/,
  );
  system.logger.warn('still text');
  assert.equal((JSON.parse(lines()[0]!) as { msg: string }).msg, 'json');
  assert.deepEqual(lines().slice(1), ['INFO  demo text', 'WARN  demo still text']);
});

test("a file output writes Spring Boot's file pattern beside the console, and close flushes it", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-logfile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'logs', 'spring.log');
  const { system, lines } = capture(t, {
    applicationName: 'demo',
    file: { file },
    properties: { LOG_DATEFORMAT_PATTERN: 'HH:mm:ss', PID: '77' },
  });
  system.logger.child({ component: 'web' }).info({ port: 8080 }, 'started');
  await system.close();
  await system.close();
  const written = await readFile(file, 'utf8');
  assert.match(
    written,
    /^\d\d:\d\d:\d\d  INFO 77 --- \[demo\] \[main\] web {38}: started port=8080\n$/,
  );
  assert.equal((JSON.parse(lines()[0]!) as { msg: string }).msg, 'started');
});

test('an unwritable log file is refused at configuration with the file named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-logfile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocker = join(dir, 'not-a-folder');
  await writeFile(blocker, 'x');
  const { system } = capture(t);
  assert.throws(
    () => system.configureOutput({ file: { file: join(blocker, 'app.log') } }),
    /file .*not-a-folder\/app\.log: (EEXIST|ENOTDIR)/,
  );
});
