import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Secret, isStratusError } from '@stratus/core';
import { tempTree } from '@stratus/testing';
import {
  ConfigEnvironment,
  bindProperties,
  bindingProblems,
  loadConfiguration,
  type PropertySpec,
} from './index.js';

function env(...sources: Array<[string, Record<string, unknown>]>): ConfigEnvironment {
  return new ConfigEnvironment(sources.map(([name, properties]) => ({ name, properties })));
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(isStratusError(error), String(error));
    assert.equal(error.code, 'CFG_ERR_INVALID_CONFIG');
    return error.details['problems'] as string[];
  }
  assert.fail('expected CFG_ERR_INVALID_CONFIG');
}

const DEMO = {
  port: { key: 'server.port', type: 'int', default: 0, min: 0, max: 65535 },
  timeoutMs: { key: 'stratus.demo.timeout', type: 'duration', unit: 's', default: 5000 },
  maxBodyBytes: { key: 'stratus.demo.max-body', type: 'dataSize', default: 65536 },
  enabled: { key: 'stratus.demo.security.enabled', type: 'boolean', default: false },
  mode: { key: 'stratus.demo.mode', type: 'enum', values: ['NATIVE', 'GIT'], default: 'NATIVE' },
  password: { key: 'stratus.demo.password', type: 'secret' },
  paths: { key: 'stratus.demo.search-paths', type: 'list', default: [] },
  headers: { key: 'stratus.demo.headers', type: 'map', default: {} },
  repos: {
    key: 'stratus.demo.repos',
    type: 'map',
    default: {},
    entries: {
      uri: { key: 'uri', type: 'url', required: true },
      pattern: { key: 'pattern', type: 'list', default: [] },
      cloneOnStart: { key: 'clone-on-start', type: 'boolean', default: false },
    },
  },
} as const satisfies Record<string, PropertySpec>;

const OWNED = { ownedPrefixes: ['stratus.demo'] };

test('binds every kind from Spring names, in relaxed spelling, to typed values', () => {
  const settings = bindProperties(
    env([
      'application.yml',
      {
        'server.port': '8888',
        'stratus.demo.timeout': '10',
        'stratus.demo.maxBody': '1MB',
        'stratus.demo.security.enabled': 'on',
        'stratus.demo.mode': 'git',
        'stratus.demo.password': 'hunter2',
        'stratus.demo.search-paths[0]': '{application}',
        'stratus.demo.search-paths[1]': 'shared',
        'stratus.demo.headers.X-Tenant': 'a',
        'stratus.demo.repos.team-a.uri': 'https://git.example/a.git',
        'stratus.demo.repos.team-a.pattern': 'orders*, billing*',
        'stratus.demo.repos.team-a.cloneOnStart': 'true',
      },
    ]),
    DEMO,
    OWNED,
  );
  const port: number = settings.port;
  const mode: 'NATIVE' | 'GIT' = settings.mode;
  // @ts-expect-error a secret is never a string
  const leaked: string = settings.password;
  assert.equal(port, 8888);
  assert.equal(settings.timeoutMs, 10_000, 'a bare number is in the spec unit (seconds)');
  assert.equal(settings.maxBodyBytes, 1024 * 1024);
  assert.equal(settings.enabled, true);
  assert.equal(mode, 'GIT', 'enums match relaxed and keep the spelling of values');
  assert.ok((leaked as unknown) instanceof Secret);
  assert.equal(settings.password?.reveal(), 'hunter2');
  assert.deepEqual(settings.paths, ['{application}', 'shared']);
  assert.deepEqual(settings.headers, { 'X-Tenant': 'a' });
  assert.deepEqual(settings.repos['team-a'], {
    uri: 'https://git.example/a.git',
    pattern: ['orders*', 'billing*'],
    cloneOnStart: true,
  });
});

test('absent settings take their defaults, and the result is frozen all the way down', () => {
  const settings = bindProperties(env(['empty', {}]), DEMO, OWNED);
  assert.equal(settings.port, 0);
  assert.equal(settings.timeoutMs, 5000);
  assert.equal(settings.mode, 'NATIVE');
  assert.equal(settings.password, undefined);
  assert.deepEqual(settings.paths, []);
  assert.ok(Object.isFrozen(settings));
  assert.ok(Object.isFrozen(settings.paths));
  assert.ok(Object.isFrozen(settings.repos));
  assert.ok(!Object.isFrozen(DEMO.paths.default), 'a default is copied, never frozen in place');
  const filled = bindProperties(
    env(['f', { 'stratus.demo.repos.a.uri': 'http://h/a', 'stratus.demo.search-paths': 'x' }]),
    DEMO,
  );
  assert.ok(Object.isFrozen(filled.paths));
  assert.ok(Object.isFrozen(filled.repos['a']));
  assert.throws(() => (filled.paths as string[]).push('y'), TypeError);
});

test('every problem is listed at once, each naming the key and the file it came from', () => {
  const problems = problemsOf(() =>
    bindProperties(
      env(
        ['commandLineArgs', { 'server.port': '70000' }],
        [
          "Config resource 'file [config/application.yml]' (document #0)",
          {
            'stratus.demo.timeout': 'soon',
            'stratus.demo.max-body': '12 parsecs',
            'stratus.demo.mode': 'svn',
            'stratus.demo.security.enabled': 'maybe',
            'stratus.demo.repos.team-a.pattern': 'x',
            'stratus.demo.repos.team-b.uri': 'ftp://old',
          },
        ],
      ),
      DEMO,
      OWNED,
    ),
  );
  assert.deepEqual(problems, [
    'server.port (commandLineArgs): must be at most 65535',
    "stratus.demo.timeout (Config resource 'file [config/application.yml]' (document #0)): 'soon' is not a duration (like 5s or 500ms)",
    "stratus.demo.max-body (Config resource 'file [config/application.yml]' (document #0)): '12 parsecs' is not a data size (like 10MB or 512KB)",
    "stratus.demo.security.enabled (Config resource 'file [config/application.yml]' (document #0)): 'maybe' is not true or false",
    "stratus.demo.mode (Config resource 'file [config/application.yml]' (document #0)): 'svn' is not one of NATIVE, GIT",
    'stratus.demo.repos.team-a.uri: is required',
    "stratus.demo.repos.team-b.uri (Config resource 'file [config/application.yml]' (document #0)): 'ftp://old' is not an http(s) URL",
  ]);
});

test('a secret that breaks a rule is reported without its value', () => {
  const specs = { token: { key: 'token.secret', type: 'secret', minLength: 32 } } as const;
  const problems = problemsOf(() =>
    bindProperties(env(['application.yml', { 'token.secret': 'hunter2' }]), specs),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^token\.secret \(application\.yml\): must be at least 32/);
  assert.doesNotMatch(problems.join('\n'), /hunter2/);
  const bound = bindProperties(env(['a', { 'token.secret': 'x'.repeat(32) }]), specs);
  assert.doesNotMatch(inspect(bound) + JSON.stringify(bound), /xxxx/);
});

test('a mistyped key under an owned prefix is reported with its file and the setting it resembles', () => {
  const problems = bindingProblems(
    env(
      ['commandLineArgs', { 'stratus.demo.security.enabeld': 'true' }],
      [
        'application.yml',
        {
          'stratus.demo.timout': '5',
          'stratus.demo.repos.team-a.uri': 'http://h/a',
          'stratus.demo.repos.team-a.patern': 'x',
          'stratus.other.anything': 'not ours',
          'spring.cloud.config.server.git.ignore-local-ssh-settings': 'true',
        },
      ],
    ),
    DEMO,
    OWNED,
  );
  assert.deepEqual(problems, [
    'stratus.demo.security.enabeld (commandLineArgs): not a setting of stratus.demo; did you mean stratus.demo.security.enabled?',
    'stratus.demo.timout (application.yml): not a setting of stratus.demo; did you mean stratus.demo.timeout?',
    'stratus.demo.repos.team-a.patern (application.yml): not a setting of stratus.demo; did you mean stratus.demo.repos.team-a.pattern?',
  ]);
});

test('keys in any relaxed spelling, list indices, map keys and empty YAML maps are known', () => {
  const problems = bindingProblems(
    env(
      ['commandLineArgs', { 'stratus.demo.searchpaths[0]': 'a', 'stratus.demo.maxbody': '1KB' }],
      [
        'application.yml',
        {
          'stratus.demo.security': '',
          'stratus.demo.headers.any.nested-name': 'v',
          'stratus.demo.repos.x.uri': 'http://h/x',
          'stratus.demo.repos.x.pattern[0]': 'a*',
        },
      ],
    ),
    DEMO,
    OWNED,
  );
  assert.deepEqual(problems, []);
});

test('environment variables and defaults are not checked for unknown keys, and a key is reported once', () => {
  const problems = bindingProblems(
    env(
      ['commandLineArgs', { 'stratus.demo.nope': 'x' }],
      ['systemEnvironment', { 'stratus.demo.other': 'meant for another process' }],
      ['defaults', { 'stratus.demo.legacy': 'x' }],
      ['application.yml', { 'stratus.demo.nope': 'y' }],
    ),
    DEMO,
    OWNED,
  );
  assert.deepEqual(problems, [
    'stratus.demo.nope (commandLineArgs): not a setting of stratus.demo',
  ]);
});

test('a single value where a map belongs is a problem, not a crash', () => {
  const problems = bindingProblems(
    env(['a.yml', { 'stratus.demo.repos': 'oops', 'stratus.demo.headers.x': 'fine' }]),
    DEMO,
  );
  assert.deepEqual(problems, [
    'stratus.demo.repos (a.yml): must be a map of keys, not a single value',
  ]);
  assert.deepEqual(bindingProblems(env(['b.yml', { 'stratus.demo.repos.team': 'oops' }]), DEMO), [
    'stratus.demo.repos.team (b.yml): must be a map of keys, not a single value',
  ]);
});

test('specs written for the first binder keep binding as before', () => {
  const settings = bindProperties(
    env([
      'a',
      {
        'app.name': 'orders',
        'app.ratio': '0.5',
        'app.count': '3',
        'app.grace': '30',
        'app.url': 'http://127.0.0.1:8761/eureka/',
        'app.list': 'a, b',
      },
    ]),
    {
      name: { key: 'app.name', type: 'string', pattern: /^[a-z]+$/, minLength: 2 },
      ratio: { key: 'app.ratio', type: 'number', min: 0, max: 1 },
      count: { key: 'app.count', type: 'number', integer: true, required: true },
      graceMs: { key: 'app.grace', type: 'duration', unit: 's', min: 1000 },
      url: { key: 'app.url', type: 'url' },
      list: { key: 'app.list', type: 'list' },
      missing: { key: 'app.missing', type: 'string' },
    },
  );
  assert.deepEqual(
    { ...settings, list: [...(settings.list ?? [])] },
    {
      name: 'orders',
      ratio: 0.5,
      count: 3,
      graceMs: 30_000,
      url: 'http://127.0.0.1:8761/eureka/',
      list: ['a', 'b'],
    },
  );
  assert.equal(settings.missing, undefined);
});

test('a loaded application.yml is named in the problem with the key it holds', async (t) => {
  const dir = tempTree(t, {
    'application.yml': 'stratus:\n  demo:\n    timeout: 5\n    secuirty:\n      enabled: true\n',
  });
  const { environment } = await loadConfiguration({ baseDir: dir, env: {} });
  const problems = bindingProblems(environment, DEMO, OWNED);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^stratus\.demo\.secuirty\.enabled \(Config resource 'file \[/);
  assert.match(
    problems[0]!,
    /application\.yml\]' \(document #0\)\): not a setting of stratus\.demo/,
  );
  assert.match(problems[0]!, /did you mean stratus\.demo\.security\.enabled\?$/);
});
