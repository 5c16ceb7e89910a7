import { GatewayErrors } from '../errors.js';
import type { BoundArgs } from './bind-args.js';
import { isHeaderName, isHeaderValue } from './headers.js';
import { compileTemplate } from './template.js';

/** Reads a header-name argument, lower-cased; throws a problem message when it is not a token. */
export function headerNameArg(args: BoundArgs, field = 'name'): string {
  const name = args.required(field);
  if (!isHeaderName(name))
    throw new Error(`argument '${field}' is not a valid header name: ${JSON.stringify(name)}`);
  return name.toLowerCase();
}

/**
 * Compiles a header-value argument that may use `{var}` URI variables. The
 * static text is checked now; expanded values are checked per request and
 * refused with GW_ERR_INVALID_HEADER (400) if they hold CR, LF or NUL.
 */
export function headerValueArg(
  args: BoundArgs,
  field = 'value',
): (vars: Readonly<Record<string, string>>) => string {
  return compileHeaderValue(args.string(field) ?? '', field);
}

/** {@link headerValueArg} for a value already in hand. */
export function compileHeaderValue(
  text: string,
  field: string,
): (vars: Readonly<Record<string, string>>) => string {
  if (!isHeaderValue(text))
    throw new Error(`argument '${field}' contains characters not allowed in a header value`);
  const template = compileTemplate(text);
  if (!text.includes('{')) return template;
  return (vars) => {
    const value = template(vars);
    if (!isHeaderValue(value)) throw GatewayErrors.INVALID_HEADER();
    return value;
  };
}
