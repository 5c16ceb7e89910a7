import { isAbsolute, resolve } from 'node:path';

/** Where relative and `classpath:` locations resolve. */
export interface ResourceRoots {
  /** Relative paths (`file:./x`, `x`) resolve against this folder. */
  baseDir: string;
  /**
   * What `classpath:` stands for: the service's own resource folder (the one holding its
   * `application.yml`; `stratus.classpath`). @default baseDir
   */
  classpath?: string;
}

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * Turns a Spring resource location into a file path, the way Spring's `ResourceLoader` reads
 * the forms people write:
 * - `classpath:/server.jks`, `classpath:config/` → under `roots.classpath`;
 * - `file:./rel`, `file:rel` → under `roots.baseDir`; `file:/abs`, `file:///abs`,
 *   `file://localhost/abs` → `/abs`; `file://${user.home}/repo` (two slashes before an absolute
 *   path, as Spring Cloud's docs and many tutorials write it) → `/home/me/repo`;
 * - `file:///C:/cfg`, `file:C:\cfg` → `C:/cfg` (a Windows drive path stays one; on other systems
 *   it is just a relative name, never an error);
 * - anything without a scheme is a path. Percent escapes in `file:` URLs are decoded.
 *
 * @example
 * resolveResourceLocation('file://${user.home}/native-file-repo'.replace('${user.home}', '/home/me'), { baseDir: '.' });
 * // '/home/me/native-file-repo'
 */
export function resolveResourceLocation(location: string, roots: ResourceRoots): string {
  let path = location.trim();
  if (path.startsWith('classpath:')) {
    const inside = path.slice('classpath:'.length).replace(/^[\\/]+/, '');
    return resolve(roots.classpath ?? roots.baseDir, inside);
  }
  if (path.startsWith('file:')) {
    path = path.slice('file:'.length);
    if (path.startsWith('//')) {
      path = path.replace(/^\/\/(localhost(?=\/))?/i, '');
      if (!path.startsWith('/') && !WINDOWS_DRIVE.test(path)) path = `/${path}`;
    }
    if (/^\/[A-Za-z]:[\\/]/.test(path)) path = path.slice(1);
    try {
      path = decodeURIComponent(path);
    } catch {
      // A stray `%` is part of the name.
    }
  }
  return isAbsolute(path) ? resolve(path) : resolve(roots.baseDir, path);
}
