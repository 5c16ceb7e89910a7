import { ConfigErrors } from '../../errors.js';

/** One DER element: its tag byte and its content bytes. */
export interface DerElement {
  tag: number;
  content: Buffer;
}

export const DER_SEQUENCE = 0x30;
export const DER_OCTET_STRING = 0x04;
export const DER_INTEGER = 0x02;
export const DER_OID = 0x06;

/** Reads the DER element at `offset`; definite lengths of up to 4 bytes only. */
export function readDer(bytes: Buffer, offset = 0): { element: DerElement; next: number } {
  const fail = () => ConfigErrors.KEYSTORE_FORMAT({ message: 'a protected key is not valid DER' });
  if (offset + 2 > bytes.length) throw fail();
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const size = length & 0x7f;
    if (size === 0 || size > 4 || start + size > bytes.length) throw fail();
    length = bytes.readUIntBE(start, size);
    start += size;
  }
  if (start + length > bytes.length) throw fail();
  return { element: { tag, content: bytes.subarray(start, start + length) }, next: start + length };
}

/** The elements of a SEQUENCE, each checked against `expected` tags (in order) when given. */
export function derSequence(element: DerElement, expected?: readonly number[]): DerElement[] {
  if (element.tag !== DER_SEQUENCE)
    throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a protected key is not a DER SEQUENCE' });
  const out: DerElement[] = [];
  for (let offset = 0; offset < element.content.length;) {
    const { element: child, next } = readDer(element.content, offset);
    out.push(child);
    offset = next;
  }
  expected?.forEach((tag, index) => {
    if (out[index]?.tag !== tag)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a protected key has an unexpected layout' });
  });
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function derOid(content: Buffer): string {
  if (content.length === 0) return '';
  const parts = [Math.floor(content[0]! / 40), content[0]! % 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** A small non-negative INTEGER (iteration counts); larger ones give `Infinity`. */
export function derSmallInteger(content: Buffer): number {
  if (content.length === 0 || content[0]! & 0x80) return -1;
  if (content.length > 6) return Number.POSITIVE_INFINITY;
  return content.readUIntBE(0, content.length);
}
