import { LOGICAL, type ConnectSchema } from './connect-schema.js';

const MS_PER_DAY = 86_400_000;
const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32_768, 32_767],
  int32: [-2_147_483_648, 2_147_483_647],
};

/** A value that does not fit its Connect schema; the message names the path. */
export class ConnectDataError extends Error {
  override name = 'ConnectDataError';
}

function fail(path: string, reason: string): never {
  throw new ConnectDataError(`${path}: ${reason}`);
}

function asDate(value: unknown, path: string): Date {
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime()))
    fail(path, 'must be a Date or epoch milliseconds');
  return date;
}

/** Decimal text or number → unscaled two's-complement big-endian bytes, base64 (Connect's BASE64 format). */
function encodeDecimal(value: unknown, scale: number, path: string): string {
  const text =
    typeof value === 'bigint'
      ? value.toString()
      : typeof value === 'number'
        ? String(value)
        : value;
  if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text))
    fail(path, 'must be a decimal number');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  if (fraction.length > scale) fail(path, `has more than ${scale} decimal places`);
  let unscaled = BigInt(whole + fraction.padEnd(scale, '0'));
  if (text.startsWith('-')) unscaled = -unscaled;
  // Java's BigInteger.toByteArray(): the shortest two's-complement big-endian form.
  let width = 1;
  while (unscaled < -(1n << BigInt(8 * width - 1)) || unscaled >= 1n << BigInt(8 * width - 1))
    width += 1;
  const bits = unscaled < 0n ? (1n << BigInt(8 * width)) + unscaled : unscaled;
  const bytes = Buffer.from(bits.toString(16).padStart(width * 2, '0'), 'hex');
  return bytes.toString('base64');
}

function decodeDecimal(base64: string, scale: number): string {
  const bytes = Buffer.from(base64, 'base64');
  let unscaled = bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(bytes.length * 8);
  const sign = unscaled < 0n ? '-' : '';
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return scale === 0
    ? `${sign}${digits}`
    : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function scaleOf(schema: ConnectSchema): number {
  return Number(schema.parameters?.scale ?? 0);
}

function encodeLogical(value: unknown, schema: ConnectSchema, path: string): unknown {
  switch (schema.name) {
    case LOGICAL.timestamp:
      return asDate(value, path).getTime();
    case LOGICAL.date: {
      const ms = asDate(value, path).getTime();
      if (ms % MS_PER_DAY !== 0) fail(path, 'a Connect Date has no time of day');
      return ms / MS_PER_DAY;
    }
    case LOGICAL.time:
      return ((asDate(value, path).getTime() % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    case LOGICAL.decimal:
      return encodeDecimal(value, scaleOf(schema), path);
    default:
      return undefined;
  }
}

/** A number, boolean or string of a Connect scalar type: the same in JSON as in JavaScript. */
function checkScalar(value: unknown, type: string, path: string): unknown {
  if (type.startsWith('int')) return checkInteger(value, type, path);
  if (type === 'boolean' || type === 'string') {
    if (typeof value !== type) fail(path, `must be a ${type}`);
    return value;
  }
  if (typeof value !== 'number') fail(path, `must be a number (${type})`);
  return value;
}

function checkInteger(value: unknown, type: string, path: string): number | bigint {
  if (typeof value === 'bigint') {
    if (type !== 'int64') fail(path, `must be an ${type}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isInteger(value))
    fail(path, `must be an integer (${type})`);
  const range = INT_RANGES[type];
  if (range && (value < range[0] || value > range[1])) fail(path, `is out of range for ${type}`);
  return value;
}

/** A JavaScript value as the JSON `JsonConverter` writes for `schema` (bigint stays bigint). */
export function toConnectJson(value: unknown, schema: ConnectSchema, path = 'payload'): unknown {
  if (value === undefined || value === null) {
    if (schema.default !== undefined) return schema.default;
    if (schema.optional) return null;
    fail(path, 'is required');
  }
  const logical = encodeLogical(value, schema, path);
  if (logical !== undefined) return logical;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float':
    case 'double':
    case 'float32':
    case 'float64':
    case 'boolean':
    case 'string':
      return checkScalar(value, schema.type, path);
    case 'bytes':
      if (!(value instanceof Uint8Array)) fail(path, 'must be a Buffer');
      return Buffer.from(value).toString('base64');
    case 'array':
      if (!Array.isArray(value)) fail(path, 'must be an array');
      return value.map((item, i) => toConnectJson(item, schema.items!, `${path}[${i}]`));
    case 'map':
      return mapToJson(value, schema, path);
    case 'struct':
      return structToJson(value, schema, path);
  }
}

function mapToJson(value: unknown, schema: ConnectSchema, path: string): unknown {
  const entries =
    value instanceof Map
      ? [...value]
      : typeof value === 'object'
        ? Object.entries(value as object)
        : fail(path, 'must be a Map or an object');
  // JsonConverter writes a map with string keys as a JSON object, any other as [key, value] pairs.
  if (schema.keys?.type === 'string') {
    return Object.fromEntries(
      entries.map(([k, v]) => [
        String(k),
        toConnectJson(v, schema.values!, `${path}.${String(k)}`),
      ]),
    );
  }
  return entries.map(([k, v]) => [
    toConnectJson(k, schema.keys!, `${path}<key>`),
    toConnectJson(v, schema.values!, `${path}.${String(k)}`),
  ]);
}

function structToJson(value: unknown, schema: ConnectSchema, path: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(path, 'must be an object');
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of schema.fields ?? []) {
    out[field.field!] = toConnectJson(record[field.field!], field, `${path}.${field.field!}`);
  }
  return out;
}

function decodeLogical(json: unknown, schema: ConnectSchema, path: string): unknown {
  switch (schema.name) {
    case LOGICAL.timestamp:
    case LOGICAL.time:
      if (typeof json !== 'number' || !Number.isInteger(json)) fail(path, 'must be an integer');
      return new Date(json);
    case LOGICAL.date:
      if (typeof json !== 'number' || !Number.isInteger(json)) fail(path, 'must be an integer');
      return new Date(json * MS_PER_DAY);
    case LOGICAL.decimal:
      if (typeof json !== 'string') fail(path, 'must be base64 text');
      return decodeDecimal(json, scaleOf(schema));
    default:
      return undefined;
  }
}

/**
 * JSON read by `JsonConverter.toConnectData` rules, as JavaScript: logical types become `Date`
 * (Timestamp, Date, Time) or decimal text (Decimal), bytes a Buffer, structs plain objects.
 */
export function fromConnectJson(json: unknown, schema: ConnectSchema, path = 'payload'): unknown {
  if (json === null || json === undefined) {
    if (schema.default !== undefined)
      return fromConnectJson(schema.default, { ...schema, default: undefined }, path);
    if (schema.optional) return null;
    fail(path, 'is required');
  }
  const logical = decodeLogical(json, schema, path);
  if (logical !== undefined) return logical;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float':
    case 'double':
    case 'float32':
    case 'float64':
    case 'boolean':
    case 'string':
      return checkScalar(json, schema.type, path);
    case 'bytes':
      if (typeof json !== 'string') fail(path, 'must be base64 text');
      return Buffer.from(json, 'base64');
    case 'array':
      if (!Array.isArray(json)) fail(path, 'must be an array');
      return json.map((item, i) => fromConnectJson(item, schema.items!, `${path}[${i}]`));
    case 'map':
      return mapFromJson(json, schema, path);
    case 'struct': {
      if (typeof json !== 'object' || Array.isArray(json)) fail(path, 'must be an object');
      const record = json as Record<string, unknown>;
      return Object.fromEntries(
        (schema.fields ?? []).map((f) => [
          f.field!,
          fromConnectJson(record[f.field!], f, `${path}.${f.field!}`),
        ]),
      );
    }
  }
}

function mapFromJson(json: unknown, schema: ConnectSchema, path: string): unknown {
  if (Array.isArray(json)) {
    return new Map(
      json.map((pair, i) => {
        if (!Array.isArray(pair) || pair.length !== 2)
          fail(`${path}[${i}]`, 'must be a [key, value] pair');
        return [
          fromConnectJson(pair[0], schema.keys!, `${path}<key>`),
          fromConnectJson(pair[1], schema.values!, `${path}[${i}]`),
        ];
      }),
    );
  }
  if (typeof json !== 'object') fail(path, 'must be an object or [key, value] pairs');
  return new Map(
    Object.entries(json as object).map(([k, v]) => [
      k,
      fromConnectJson(v, schema.values!, `${path}.${k}`),
    ]),
  );
}
