const VALUE = Symbol('secret.value');

/**
 * A value that must never reach a log line: `toString()`, `toJSON()` and
 * `util.inspect` all print `[redacted]`. Call `reveal()` where it is used.
 */
export class Secret {
  readonly [VALUE]: string;
  constructor(value: string) {
    Object.defineProperty(this, VALUE, { value, enumerable: false });
    this[VALUE] = value;
  }
  reveal(): string {
    return this[VALUE];
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}
