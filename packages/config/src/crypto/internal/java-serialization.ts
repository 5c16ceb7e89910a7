import { ConfigErrors } from '../../errors.js';
import type { ByteReader } from './byte-reader.js';

// Java Object Serialization Stream Protocol (java.io.ObjectStreamConstants), enough to step over
// one serialized object without building it. JCEKS stores secret-key entries as a serialized
// `SealedObjectForKeyProtector` with no length in front, so the entries after it can only be
// found by walking it. Nothing is instantiated: the walk only counts bytes.
const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_STRING = 0x74;
const TC_ARRAY = 0x75;
const TC_CLASS = 0x76;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_RESET = 0x79;
const TC_BLOCKDATALONG = 0x7a;
const TC_LONGSTRING = 0x7c;
const TC_PROXYCLASSDESC = 0x7d;
const TC_ENUM = 0x7e;
const BASE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_EXTERNALIZABLE = 0x04;
const SC_BLOCK_DATA = 0x08;
const PRIMITIVE_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  C: 2,
  D: 8,
  F: 4,
  I: 4,
  J: 8,
  S: 2,
  Z: 1,
};
const MAX_DEPTH = 32;
const MAX_HANDLES = 10_000;

interface ClassDesc {
  name: string;
  flags: number;
  fieldTypes: string[];
  superDesc: ClassDesc | null;
}

/** Steps `reader` over one serialized object (with its stream header); its content is discarded. */
export function skipSerializedObject(reader: ByteReader): void {
  if (reader.u16() !== STREAM_MAGIC || reader.u16() !== STREAM_VERSION)
    throw ConfigErrors.KEYSTORE_FORMAT({
      message: 'a secret-key entry is not a Java serialized object',
    });
  new SerializedWalker(reader).content(0);
}

class SerializedWalker {
  readonly #reader: ByteReader;
  readonly #handles: unknown[] = [];

  constructor(reader: ByteReader) {
    this.#reader = reader;
  }

  /** One `content` item; returns class descriptors and strings (for field types), else null. */
  content(depth: number): unknown {
    if (depth > MAX_DEPTH)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a serialized entry is nested too deeply' });
    const r = this.#reader;
    const tc = r.u8();
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE: {
        const handle = r.u32() - BASE_HANDLE;
        if (handle < 0 || handle >= this.#handles.length)
          throw ConfigErrors.KEYSTORE_FORMAT({
            message: 'a serialized entry refers to an unknown object',
          });
        return this.#handles[handle];
      }
      case TC_CLASSDESC:
        return this.#classDesc(depth);
      case TC_PROXYCLASSDESC:
        return this.#proxyClassDesc(depth);
      case TC_STRING:
      case TC_LONGSTRING: {
        const length = tc === TC_STRING ? r.u16() : this.#longLength();
        const text = r.bytes(length).toString('utf8');
        this.#newHandle(text);
        return text;
      }
      case TC_ARRAY:
        return this.#array(depth);
      case TC_OBJECT: {
        const desc = this.#classDescRef(depth);
        this.#newHandle(null);
        this.#classData(desc, depth);
        return null;
      }
      case TC_CLASS:
        this.#classDescRef(depth);
        this.#newHandle(null);
        return null;
      case TC_ENUM:
        this.#classDescRef(depth);
        this.#newHandle(null);
        this.content(depth + 1);
        return null;
      case TC_RESET:
        this.#handles.length = 0;
        return this.content(depth + 1);
      default:
        throw ConfigErrors.KEYSTORE_FORMAT({
          message: 'a serialized entry holds an unexpected item',
        });
    }
  }

  #classDesc(depth: number): ClassDesc {
    const r = this.#reader;
    const name = r.utf();
    r.skip(8); // serialVersionUID
    const desc: ClassDesc = { name, flags: 0, fieldTypes: [], superDesc: null };
    this.#newHandle(desc);
    desc.flags = r.u8();
    const count = r.u16();
    for (let i = 0; i < count; i++) {
      const type = String.fromCharCode(r.u8());
      r.utf(); // field name
      if (type === 'L' || type === '[')
        this.content(depth + 1); // the field's class name
      else if (PRIMITIVE_BYTES[type] === undefined)
        throw ConfigErrors.KEYSTORE_FORMAT({
          message: 'a serialized entry has a field of unknown type',
        });
      desc.fieldTypes.push(type);
    }
    this.#annotation(depth);
    desc.superDesc = this.#classDescRef(depth);
    return desc;
  }

  #proxyClassDesc(depth: number): ClassDesc {
    const desc: ClassDesc = { name: '(proxy)', flags: 0x02, fieldTypes: [], superDesc: null };
    this.#newHandle(desc);
    const count = this.#reader.count();
    for (let i = 0; i < count; i++) this.#reader.utf();
    this.#annotation(depth);
    desc.superDesc = this.#classDescRef(depth);
    return desc;
  }

  #classDescRef(depth: number): ClassDesc | null {
    const value = this.content(depth + 1);
    if (value !== null && (typeof value !== 'object' || !('fieldTypes' in value)))
      throw ConfigErrors.KEYSTORE_FORMAT({
        message: 'a serialized entry has a malformed class description',
      });
    return value as ClassDesc | null;
  }

  #array(depth: number): null {
    const desc = this.#classDescRef(depth);
    this.#newHandle(null);
    const size = this.#reader.count();
    const element = desc?.name.charAt(1) ?? '';
    const width = PRIMITIVE_BYTES[element];
    if (width !== undefined) this.#reader.skip(size * width);
    else for (let i = 0; i < size; i++) this.content(depth + 1);
    return null;
  }

  /** Field values of every class in the hierarchy, superclass first. */
  #classData(desc: ClassDesc | null, depth: number): void {
    const chain: ClassDesc[] = [];
    for (let d = desc; d !== null; d = d.superDesc) chain.unshift(d);
    for (const d of chain) {
      if (d.flags & SC_EXTERNALIZABLE) {
        if (!(d.flags & SC_BLOCK_DATA))
          throw ConfigErrors.KEYSTORE_FORMAT({
            message: 'a serialized entry uses an unsupported old protocol',
          });
        this.#annotation(depth);
        continue;
      }
      for (const type of d.fieldTypes) {
        const width = PRIMITIVE_BYTES[type];
        if (width !== undefined) this.#reader.skip(width);
        else this.content(depth + 1);
      }
      if (d.flags & SC_WRITE_METHOD) this.#annotation(depth);
    }
  }

  /** Block data and objects up to `TC_ENDBLOCKDATA`. */
  #annotation(depth: number): void {
    const r = this.#reader;
    for (;;) {
      const tc = r.peek();
      if (tc === TC_ENDBLOCKDATA) {
        r.u8();
        return;
      }
      if (tc === TC_BLOCKDATA || tc === TC_BLOCKDATALONG) {
        r.u8();
        r.skip(tc === TC_BLOCKDATA ? r.u8() : r.count());
      } else this.content(depth + 1);
    }
  }

  #longLength(): number {
    const high = this.#reader.u32();
    const low = this.#reader.u32();
    if (high !== 0)
      throw ConfigErrors.KEYSTORE_FORMAT({
        message: 'a serialized entry holds an oversized string',
      });
    return low;
  }

  #newHandle(value: unknown): void {
    if (this.#handles.length >= MAX_HANDLES)
      throw ConfigErrors.KEYSTORE_FORMAT({ message: 'a serialized entry holds too many objects' });
    this.#handles.push(value);
  }
}
