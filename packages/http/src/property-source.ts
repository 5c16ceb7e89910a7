/**
 * Where a client's settings come from: boot's live configuration (anything with
 * `getObject(prefix)` and `get(key)`, such as `LiveConfig` or `ConfigEnvironment`), or a plain
 * map, flat (`{ 'spring.cloud.openfeign.client.config.default.connect-timeout': 1000 }`) or
 * nested as YAML parses it. `onChange`, when present, tells the client to read them again.
 */
export type PropertySource =
  | Readonly<Record<string, unknown>>
  | {
      get(key: string): unknown;
      getObject(prefix: string): Record<string, unknown> | undefined;
      onChange?(listener: () => unknown): () => unknown;
    };
