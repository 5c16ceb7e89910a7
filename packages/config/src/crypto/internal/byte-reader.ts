import { ConfigErrors } from '../../errors.js';

/**
 * Reads big-endian values from a buffer as Java's `DataInputStream` does, checking every length
 * against what is left, so a truncated or hostile file fails with `CFG_ERR_KEYSTORE_FORMAT`
 * instead of reading past its end or allocating what a length field claims.
 */
export class ByteReader {
  readonly #bytes: Buffer;
  #offset: number;

  constructor(bytes: Buffer, offset = 0) {
    this.#bytes = bytes;
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.#offset++]!;
  }

  /** The next byte, without consuming it. */
  peek(): number {
    this.#need(1);
    return this.#bytes[this.#offset]!;
  }

  u16(): number {
    this.#need(2);
    const value = this.#bytes.readUInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = this.#bytes.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** A length or count (Java `readInt`): negative values are refused. */
  count(): number {
    const value = this.u32();
    if (value > 0x7fffffff)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'the key store holds a negative length' });
    return value;
  }

  bytes(length: number): Buffer {
    this.#need(length);
    const out = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  skip(length: number): void {
    this.#need(length);
    this.#offset += length;
  }

  /** Java's `readUTF`: a 2-byte length, then modified UTF-8 (decoded leniently). */
  utf(): string {
    return this.bytes(this.u16()).toString('utf8');
  }

  #need(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.remaining)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'the key store file is truncated or corrupt' });
  }
}
