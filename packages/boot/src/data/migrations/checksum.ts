import { crc32 } from 'node:zlib';

/**
 * Flyway's checksum of a SQL migration: CRC-32 over the UTF-8 bytes of its lines without
 * their line breaks (and without a leading BOM), as a signed 32-bit integer — Flyway's
 * `ChecksumCalculator` reads the script with `BufferedReader.readLine()`. So a file shared
 * with a Java service gets the same `checksum` in `flyway_schema_history`, and line endings
 * (LF or CRLF) do not change it.
 */
export function flywayChecksum(script: string): number {
  const text = script.replace(/^\uFEFF/, '').replace(/[\r\n]/g, '');
  return crc32(Buffer.from(text, 'utf8')) | 0;
}
