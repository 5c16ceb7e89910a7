import type { ArgsDefinition } from '../route-definition.js';

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Parses one shortcut item, `Name=arg1, arg2`: split at the first `=`, args
 * split on `,`, trimmed, empty ones dropped; each becomes `_genkey_N`.
 *
 * @throws Error when the name is empty or not a factory-like name.
 * @example parseShortcut('Path=/a/**, /b') // { name: 'Path', args: { _genkey_0: '/a/**', _genkey_1: '/b' } }
 */
export function parseShortcut(text: string): ArgsDefinition {
  const eq = text.indexOf('=');
  const name = (eq === -1 ? text : text.slice(0, eq)).trim();
  if (!NAME.test(name)) throw new Error(`invalid name ${JSON.stringify(name)}`);
  const args: Record<string, string> = {};
  if (eq !== -1) {
    text
      .slice(eq + 1)
      .split(',')
      .map((arg) => arg.trim())
      .filter((arg) => arg !== '')
      .forEach((arg, index) => (args[`_genkey_${index}`] = arg));
  }
  return { name, args };
}
