import type { LogRenderer, LogRecord } from '../log-pattern.js';

/** Where rendered text goes (stdout, a test stream, a rotating file). */
export interface TextTarget {
  write(text: string): void;
}

/** One output of the sink: pino's JSON line as is, or rendered by a pattern. */
export interface SinkOutput {
  target: TextTarget;
  /** `null` writes the JSON line unchanged. */
  render: LogRenderer | null;
  /** pino level number below which this output skips a line (`logging.threshold.*`). @default 0 */
  minLevel?: number;
}

/** pino writes `level` first: `{"level":30,…`. */
function levelOf(line: string): number {
  const match = /^\{"level":(\d+)/.exec(line);
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
}

/**
 * pino's destination: receives each serialized (already redacted) JSON line and hands it to
 * every output. A line is parsed at most once, and only when some output renders a pattern.
 */
export class LogSink {
  #outputs: readonly SinkOutput[] = [];

  /** Replaces the outputs; takes effect from the next line. */
  setOutputs(outputs: readonly SinkOutput[]): void {
    this.#outputs = outputs;
  }

  write(line: string): void {
    let record: LogRecord | null | undefined;
    let level: number | undefined;
    for (const output of this.#outputs) {
      if (output.minLevel !== undefined && output.minLevel > 0) {
        level ??= levelOf(line);
        if (level < output.minLevel) continue;
      }
      if (output.render === null) {
        output.target.write(line);
        continue;
      }
      if (record === undefined) record = parseRecord(line);
      output.target.write(record === null ? line : output.render(record));
    }
  }
}

function parseRecord(line: string): LogRecord | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed !== null && typeof parsed === 'object' ? (parsed as LogRecord) : null;
  } catch {
    return null;
  }
}
