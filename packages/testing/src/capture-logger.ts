import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@stratus/core';

/** A debug-level logger whose lines are kept in memory. */
export function captureLogger(name: string): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    logger: createLogger({ name, level: 'debug', destination }),
    text: () => chunks.join(''),
  };
}
