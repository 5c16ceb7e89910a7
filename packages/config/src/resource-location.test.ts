import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { resolveResourceLocation } from './resource-location.js';

const roots = { baseDir: '/srv/app', classpath: '/srv/app/resources' };

test('Spring resource locations become file paths: classpath:, file: URL forms and plain paths', () => {
  const cases: Array<[string, string]> = [
    ['classpath:/server.jks', join(roots.classpath, 'server.jks')],
    ['classpath:config/', join(roots.classpath, 'config')],
    ['file://' + '/home/me' + '/native-file-repo', '/home/me/native-file-repo'],
    ['file:///home/me/native-file-repo', '/home/me/native-file-repo'],
    ['file://localhost/etc/cfg', '/etc/cfg'],
    ['file:/abs/x.p12', '/abs/x.p12'],
    ['file:./config-repo', join(roots.baseDir, 'config-repo')],
    ['file:config-repo', join(roots.baseDir, 'config-repo')],
    ['file:///srv/with%20space', '/srv/with space'],
    ['file:///srv/100%', '/srv/100%'],
    ['relative/dir', join(roots.baseDir, 'relative/dir')],
  ];
  for (const [location, expected] of cases)
    assert.equal(resolveResourceLocation(location, roots), expected, location);
  assert.equal(resolveResourceLocation('classpath:/x', { baseDir: '/b' }), '/b/x');
});

test('Windows drive locations are kept as drive paths, never an error on other systems', () => {
  for (const location of ['file:///C:/Users/me/repo', 'file://C:\\Users\\me/repo', 'file:C:/cfg']) {
    const path = resolveResourceLocation(location, roots);
    assert.ok(path.includes('C:'), `${location} → ${path}`);
    if (process.platform !== 'win32') assert.ok(path.startsWith(resolve(roots.baseDir)));
  }
});
