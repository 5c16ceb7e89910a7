import { closeSync, mkdirSync, openSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/** Spring Boot's `logging.logback.rollingpolicy.max-file-size` default: 10MB. */
export const DEFAULT_MAX_FILE_SIZE_BYTES = 10 * 1024 * 1024;
/** Spring Boot's `logging.logback.rollingpolicy.max-history` default. */
export const DEFAULT_MAX_HISTORY = 7;
/** Lines buffered while the disk is slow before new ones are dropped (and counted). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Options of {@link openLogFile}. */
export interface LogFileOptions {
  /** The active file (`logging.file.name`, or `spring.log` in `logging.file.path`). */
  file: string;
  /** Archive the file once it reaches this size. @default 10485760 bytes (10MB) */
  maxFileSizeBytes?: number;
  /** Archives kept; older ones are deleted. @default 7 */
  maxHistory?: number;
  /** Total size of the archives kept; 0 means no cap. @default 0 bytes */
  totalSizeCapBytes?: number;
  /** Told once when the file can no longer be written (the process keeps running). */
  onError?: (error: Error) => void;
}

/** A size-rotated log file. */
export interface LogFile {
  /** The active file's absolute path. */
  readonly path: string;
  /** Appends text (never split across two files). */
  write(text: string): void;
  /** Flushes and closes. Idempotent. */
  close(): Promise<void>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Opens a log file rotated by size as Spring Boot's Logback setup does: the active file keeps
 * its name, archives are gzipped as `<file>.<yyyy-MM-dd>.<i>.gz` (Spring's default
 * `file-name-pattern`), the newest `maxHistory` are kept. Creates the folder. Throws the file
 * system's error when the file cannot be opened for appending, so start-up can report it.
 *
 * @example
 * const file = openLogFile({ file: 'logs/spring.log', maxFileSizeBytes: 10 * 1024 * 1024 });
 * file.write('hello\n');
 * await file.close();
 */
export function openLogFile(options: LogFileOptions): LogFile {
  const path = resolve(options.file);
  const folder = dirname(path);
  const name = basename(path);
  mkdirSync(folder, { recursive: true });
  closeSync(openSync(path, 'a'));
  const maxHistory = options.maxHistory ?? DEFAULT_MAX_HISTORY;
  const cap = options.totalSizeCapBytes ?? 0;
  const stream: RotatingFileStream = createStream(
    (time: number | Date | null, index?: number) => {
      if (time === null) return name;
      const date = new Date(time);
      const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
      // rotating-file-stream counts from 1; Logback's %i counts from 0.
      return `${name}.${day}.${(index ?? 1) - 1}.gz`;
    },
    {
      path: `${folder}/`,
      size: `${options.maxFileSizeBytes ?? DEFAULT_MAX_FILE_SIZE_BYTES}B`,
      compress: 'gzip',
      maxFiles: maxHistory > 0 ? maxHistory : undefined,
      ...(cap > 0 ? { maxSize: `${cap}B` } : {}),
      history: `${name}.history`,
    },
  );
  let failed = false;
  let closing: Promise<void> | null = null;
  stream.on('error', (error) => {
    if (failed) return;
    failed = true;
    options.onError?.(error);
  });
  // Non-fatal problems (an archive that could not be removed) must not stop logging.
  stream.on('warning', () => undefined);
  return {
    path,
    write(text) {
      if (failed || closing !== null) return;
      if (stream.writableLength > MAX_BUFFERED_BYTES) return;
      stream.write(text);
    },
    close() {
      closing ??= new Promise<void>((done) => {
        if (failed || stream.destroyed) {
          done();
          return;
        }
        stream.end(() => done());
        stream.once('error', () => done());
      });
      return closing;
    },
  };
}
