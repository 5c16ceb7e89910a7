/**
 * Kafka Connect's schema types as `JsonConverter` names them in JSON (`JsonSchema.*_TYPE_NAME`):
 * `float` and `double` are Connect's FLOAT32 and FLOAT64 (`float32` and `float64` are accepted
 * as aliases and written as `float` / `double`).
 */
export type ConnectType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

/** Connect's logical types Stratus converts (`org.apache.kafka.connect.data.*`). */
export const LOGICAL = Object.freeze({
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
  decimal: 'org.apache.kafka.connect.data.Decimal',
});

/** A Kafka Connect schema in `JsonConverter`'s JSON form (`{"type":"struct","fields":[…]}`). */
export interface ConnectSchema {
  type: ConnectType;
  optional?: boolean;
  /** Schema name; Connect's logical types use it (`org.apache.kafka.connect.data.Timestamp`). */
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  default?: unknown;
  /** The field name, for a field of a struct. */
  field?: string;
  /** Fields of a `struct`. */
  fields?: ConnectSchema[];
  /** Element schema of an `array`. */
  items?: ConnectSchema;
  /** Key and value schemas of a `map`. */
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

const TYPES = new Set<string>([
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'double',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
]);

/**
 * The schema in `JsonConverter.asJsonSchema`'s key order (type, its children, optional, name,
 * version, doc, parameters, default, then `field`), so Stratus writes what Kafka Connect writes.
 */
export function canonicalSchema(schema: ConnectSchema): Record<string, unknown> {
  const type =
    schema.type === 'float32' ? 'float' : schema.type === 'float64' ? 'double' : schema.type;
  const out: Record<string, unknown> = { type };
  if (schema.type === 'struct') out.fields = (schema.fields ?? []).map(canonicalSchema);
  if (schema.type === 'array' && schema.items) out.items = canonicalSchema(schema.items);
  if (schema.type === 'map') {
    if (schema.keys) out.keys = canonicalSchema(schema.keys);
    if (schema.values) out.values = canonicalSchema(schema.values);
  }
  out.optional = schema.optional ?? false;
  if (schema.name !== undefined) out.name = schema.name;
  if (schema.version !== undefined) out.version = schema.version;
  if (schema.doc !== undefined) out.doc = schema.doc;
  if (schema.parameters !== undefined) out.parameters = schema.parameters;
  if (schema.default !== undefined) out.default = schema.default;
  if (schema.field !== undefined) out.field = schema.field;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `value` is not a usable Connect schema (path-qualified), or null when it is. */
export function schemaProblem(value: unknown, path = 'schema'): string | null {
  if (!isObject(value)) return `${path} must be an object`;
  if (typeof value.type !== 'string' || !TYPES.has(value.type))
    return `${path}.type is not a Connect type`;
  if (value.optional !== undefined && typeof value.optional !== 'boolean')
    return `${path}.optional must be a boolean`;
  if (value.name !== undefined && typeof value.name !== 'string')
    return `${path}.name must be a string`;
  if (value.type === 'struct') {
    if (!Array.isArray(value.fields)) return `${path}.fields must be an array`;
    for (const [i, field] of value.fields.entries()) {
      const problem = schemaProblem(field, `${path}.fields[${i}]`);
      if (problem) return problem;
      if (typeof (field as Record<string, unknown>).field !== 'string')
        return `${path}.fields[${i}].field must name the field`;
    }
  }
  if (value.type === 'array') return schemaProblem(value.items, `${path}.items`);
  if (value.type === 'map') {
    return (
      schemaProblem(value.keys, `${path}.keys`) ?? schemaProblem(value.values, `${path}.values`)
    );
  }
  return null;
}
