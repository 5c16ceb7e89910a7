import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileLogPattern,
  abbreviateLoggerName,
  expandLoggingProperties,
  SPRING_CONSOLE_PATTERN,
  SPRING_FILE_PATTERN,
  type LogRecord,
  type PatternOptions,
} from './index.js';

// 2024-03-05T07:08:09.045Z
const TIME = Date.UTC(2024, 2, 5, 7, 8, 9, 45);
const RECORD: LogRecord = {
  level: 30,
  time: TIME,
  pid: 4242,
  name: 'user-service',
  component: 'com.example.user.web',
  msg: 'user created',
};

function render(pattern: string, record: LogRecord = RECORD, options: PatternOptions = {}): string {
  const compiled = compileLogPattern(pattern, options);
  if ('problem' in compiled) assert.fail(`pattern rejected: ${compiled.problem}`);
  return compiled.render(record);
}

function problemOf(pattern: string): string {
  const compiled = compileLogPattern(pattern);
  assert.ok('problem' in compiled, `expected ${pattern} to be rejected`);
  return compiled.problem;
}

test('%5p, %-5level, %p and %le write the Logback level name padded as asked', () => {
  assert.equal(render('[%5p]'), '[ INFO]');
  assert.equal(render('[%-5level]'), '[INFO ]');
  assert.equal(render('%p|%le', { ...RECORD, level: 40 }), 'WARN|WARN');
  assert.equal(render('%p', { ...RECORD, level: 10 }), 'TRACE');
  assert.equal(render('%p', { ...RECORD, level: 20 }), 'DEBUG');
  assert.equal(render('%p', { ...RECORD, level: 50 }), 'ERROR');
  assert.equal(render('%p', { ...RECORD, level: 60 }), 'FATAL');
});

test('%d defaults to ISO8601 and %d{…} follows SimpleDateFormat letters in UTC or local time', () => {
  assert.equal(render('%d{yyyy-MM-dd HH:mm:ss.SSS, UTC}'), '2024-03-05 07:08:09.045');
  assert.equal(render("%date{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC}"), '2024-03-05T07:08:09.045Z');
  assert.equal(render('%d{"HH:mm:ss,SSS", UTC}'), '07:08:09,045');
  assert.equal(render('%d{dd MMM yy E, UTC}'), '05 Mar 24 Tue');
  const local = new Date(TIME);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  assert.equal(
    render('%d'),
    `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ` +
      `${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())},045`,
  );
});

test('%logger, %c and %lo write the component (else the name) and {n} abbreviates as Logback', () => {
  assert.equal(render('%logger'), 'com.example.user.web');
  assert.equal(render('%c{0}'), 'web');
  assert.equal(render('%lo{15}'), 'c.e.user.web');
  assert.equal(render('%logger{5}'), 'c.e.u.web');
  assert.equal(render('%logger', { ...RECORD, component: undefined }), 'user-service');
  assert.equal(abbreviateLoggerName('mainPackage.sub.sample.Bar', 10), 'm.s.s.Bar');
  assert.equal(abbreviateLoggerName('mainPackage.sub.sample.Bar', 15), 'm.s.sample.Bar');
  assert.equal(abbreviateLoggerName('mainPackage.sub.sample.Bar', 16), 'm.sub.sample.Bar');
  assert.equal(
    abbreviateLoggerName('mainPackage.sub.sample.Bar', 26),
    'mainPackage.sub.sample.Bar',
  );
  assert.equal(abbreviateLoggerName('http-client', 3), 'http-client');
});

test('%m, %msg and %message write the message then the data fields; %kvp takes the fields instead', () => {
  const record = { ...RECORD, userId: 'u-1', count: 3, tags: ['a b'] };
  assert.equal(render('%m'), 'user created');
  assert.equal(render('%msg', record), 'user created userId=u-1 count=3 tags=["a b"]');
  assert.equal(render('%message|%kvp', record), 'user created|userId=u-1 count=3 tags=["a b"]');
});

test('%n ends the line and %t/%thread name the main thread', () => {
  assert.equal(render('%t %thread%n'), 'main main\n');
  assert.equal(render('[%15.15t]'), '[           main]');
});

test('%X{key} reads a field from bindings or the mixin, with a default after :-', () => {
  const traced = { ...RECORD, traceId: '4bf92f3577b34da6', spanId: '00f067aa0ba902b7' };
  assert.equal(
    render('%5p [%X{traceId:-},%X{spanId:-}]', traced),
    ' INFO [4bf92f3577b34da6,00f067aa0ba902b7]',
  );
  assert.equal(render('%5p [%X{traceId:-},%X{spanId:-}]'), ' INFO [,]');
  assert.equal(render('%X{traceId:-none}'), 'none');
  assert.equal(render('%X{traceId}'), '');
  assert.equal(
    render('%X{traceId}|%m', traced),
    '4bf92f3577b34da6|user created spanId=00f067aa0ba902b7',
    'fields a %X shows are not repeated by %m',
  );
  assert.equal(render('%mdc{traceId}', traced), '4bf92f3577b34da6');
});

test('%clr(…){colour} and %highlight colour only when colour is on', () => {
  assert.equal(render('%clr(%5p) %clr(x){faint}'), ' INFO x');
  assert.equal(
    render('%clr(%5p) %clr(x){faint}', RECORD, { colour: true }),
    '\u001b[32m INFO\u001b[0;39m \u001b[2mx\u001b[0;39m',
  );
  assert.equal(
    render('%clr(%p)', { ...RECORD, level: 50 }, { colour: true }),
    '\u001b[31mERROR\u001b[0;39m',
  );
  assert.equal(
    render('%clr(%p)', { ...RECORD, level: 40 }, { colour: true }),
    '\u001b[33mWARN\u001b[0;39m',
  );
  assert.equal(
    render('%highlight(%p)', { ...RECORD, level: 50 }, { colour: true }),
    '\u001b[1;31mERROR\u001b[0;39m',
  );
  assert.equal(render('%cyan(%logger{0})', RECORD, { colour: true }), '\u001b[36mweb\u001b[0;39m');
  assert.equal(render('%-6(%p)|'), 'INFO  |');
});

test('format modifiers pad left or right and truncate from the start, or the end with .-N', () => {
  assert.equal(render('[%-10.10logger]'), '[e.user.web]');
  assert.equal(render('[%-10.10logger]', { ...RECORD, component: 'web' }), '[web       ]');
  assert.equal(render('[%10logger]', { ...RECORD, component: 'web' }), '[       web]');
  assert.equal(render('[%.-3p]'), '[INF]');
  assert.equal(render('[%8.3p]'), '[     NFO]');
});

test('a throwable is written as Type: message with its frames, after the line or where %wEx says', () => {
  const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at run (file.js:1:1)' };
  assert.equal(
    render('%m%n', { ...RECORD, err }),
    'user created\nError: boom\n\tat run (file.js:1:1)\n',
  );
  assert.equal(
    render('%m%n%wEx', { ...RECORD, err }),
    'user created\n\nError: boom\n\tat run (file.js:1:1)\n',
  );
  assert.equal(render('%m%nopex%n', { ...RECORD, err }), 'user created\n');
  assert.equal(render('%m%n%wEx'), 'user created\n');
});

test('control characters in messages, values and error messages are escaped: one record is one line', () => {
  const hostile = {
    ...RECORD,
    msg: 'hi\r\n{"level":50}',
    header: 'a\nb\u001b[31m',
    err: {
      type: 'Error',
      message: 'x\nERROR forged',
      stack: 'Error: x\nERROR forged\n    at f (a.js:1:1)',
    },
  };
  const text = render('%p %m %X{header}%n%wEx', hostile);
  assert.equal(text.split('\n').filter((line) => /forged|level/.test(line)).length, 2);
  assert.match(text, /^INFO hi\\r\\n\{"level":50\} a\\nb\\u001b\[31m\n/);
  assert.match(render('%m', hostile), / header="a\\nb\\u001b\[31m"$/m);
  assert.match(text, /Error: x\\nERROR forged\n\tat f/);
  assert.doesNotMatch(text, /\u001b/);
});

test('%applicationName writes [name] and unavailable caller data writes ?', () => {
  assert.equal(
    render('%applicationName%C.%M:%L', RECORD, { applicationName: 'user-service' }),
    '[user-service] ?.?:?',
  );
  assert.equal(render('%applicationName-'), '-');
});

test('Spring Boot default patterns render with logging.pattern.level substituted', () => {
  const console = expandLoggingProperties(SPRING_CONSOLE_PATTERN, {
    LOG_LEVEL_PATTERN: '%5p [%X{traceId:-},%X{spanId:-}]',
    LOG_DATEFORMAT_PATTERN: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC",
    PID: '4242',
  });
  assert.equal(
    render(console, { ...RECORD, traceId: 'abc' }, { applicationName: 'user-service' }),
    '2024-03-05T07:08:09.045Z  INFO [abc,] 4242 --- [user-service] [           main] ' +
      'com.example.user.web                     : user created\n',
  );
  const file = expandLoggingProperties(SPRING_FILE_PATTERN, {
    LOG_DATEFORMAT_PATTERN: 'HH:mm, UTC',
    PID: '1',
  });
  assert.equal(
    render(file),
    `07:08  INFO 1 --- [main] ${'com.example.user.web'.padEnd(40)} : user created\n`,
  );
  assert.equal(expandLoggingProperties('${UNKNOWN} ${LOG_LEVEL_PATTERN:-%5p}'), '${UNKNOWN} %5p');
});

test('a malformed pattern is rejected with the reason', () => {
  assert.match(problemOf('%foo'), /%foo is not a conversion word/);
  assert.match(problemOf('100% done'), /"%" at position 4 is not followed by a conversion word/);
  assert.match(problemOf('%clr(%p'), /never closed/);
  assert.match(problemOf('%d{yyyy-QQ}'), /not a date pattern/);
  assert.match(problemOf('%d{HH:mm, Europe/Paris}'), /not a date pattern/);
  assert.match(problemOf('%logger{x}'), /needs a number/);
  assert.match(problemOf('%clr'), /needs a "\(…\)" sub-pattern/);
  assert.equal(render('100\\% %p'), '100% INFO');
});
