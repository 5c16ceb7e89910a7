import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import {
  applicationJsonFragment,
  applicationsToJson,
  applicationsToXml,
  applicationToXml,
  type Application,
  type Applications,
} from '@stratus/discovery';

/** Eureka's two registry formats (spring-wire §1.2). */
export type PayloadFormat = 'json' | 'xml';

/**
 * Bodies up to this size are joined into one buffer; larger ones stay the list of their
 * application fragments, so a change costs no copy of the whole registry (50 000 instances are
 * 47 MB of JSON).
 */
export const JOIN_MAX_BYTES = 2 * 1024 * 1024;

/** One encoded response body, in order, and its strong validator. */
export interface EncodedPayload {
  readonly parts: readonly Buffer[];
  readonly length: number;
  readonly etag: string;
}

/** The gzip of `parts`, written through one stream: zlib works on the thread pool. */
function gzipParts(parts: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip();
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    for (const part of parts) gzip.write(part);
    gzip.end();
  });
}

const encoded = (parts: readonly Buffer[], etag: string, joinMaxBytes: number): EncodedPayload => {
  let length = 0;
  for (const part of parts) length += part.length;
  return length <= joinMaxBytes && parts.length > 1
    ? { parts: [Buffer.concat(parts, length)], length, etag }
    : { parts, length, etag };
};

interface Representation {
  readonly identity: EncodedPayload;
  /** The gzip of `identity`: done, being computed (callers share the promise), or not asked. */
  gzip: EncodedPayload | Promise<EncodedPayload> | null;
}

interface Format {
  /** The whole document, as discovery renders it. */
  render(applications: Applications, fragment: (application: Application) => string): string;
  fragment(application: Application): string;
  /** What the empty document ends with: the fragments go just before it. */
  readonly closing: string;
  readonly separator: Buffer;
}

const FORMATS: Readonly<Record<PayloadFormat, Format>> = {
  json: {
    render: applicationsToJson,
    fragment: applicationJsonFragment,
    closing: ']}}',
    separator: Buffer.from(','),
  },
  xml: {
    render: applicationsToXml,
    fragment: applicationToXml,
    closing: '</applications>',
    separator: Buffer.alloc(0),
  },
};

/**
 * Eureka's response cache as bytes (spring-wire §1.11): the encoded `/apps` and `/apps/delta`
 * bodies per registry object, format and encoding. The registry hands out the same frozen
 * `Applications` until something visible changes, so a body is encoded once per change, and
 * each application's fragment once per change of that application; the gzip once per body, on
 * the libuv thread pool, with concurrent requests sharing the one compression. Entries are
 * held weakly: a body goes when its registry object does.
 */
export class PayloadCache {
  readonly #entries = new WeakMap<Applications, Partial<Record<PayloadFormat, Representation>>>();
  readonly #fragments: Readonly<Record<PayloadFormat, WeakMap<Application, Buffer>>> = {
    json: new WeakMap(),
    xml: new WeakMap(),
  };
  // Tags differ across restarts, so a validator never matches another process's bytes.
  readonly #tagPrefix = `"${randomBytes(6).toString('base64url')}-`;
  readonly #joinMaxBytes: number;
  #serial = 0;

  /** @param joinMaxBytes bodies up to this size are one buffer. @default JOIN_MAX_BYTES */
  constructor(joinMaxBytes = JOIN_MAX_BYTES) {
    this.#joinMaxBytes = joinMaxBytes;
  }

  /** The uncompressed body of `applications` in `format`. */
  identity(applications: Applications, format: PayloadFormat): EncodedPayload {
    return this.#representation(applications, format).identity;
  }

  /** The gzip of {@link identity}; a promise only while the first compression runs. */
  gzip(
    applications: Applications,
    format: PayloadFormat,
  ): EncodedPayload | Promise<EncodedPayload> {
    const representation = this.#representation(applications, format);
    if (representation.gzip !== null) return representation.gzip;
    const { parts, etag } = representation.identity;
    const pending = gzipParts(parts).then(
      (compressed) => {
        const gzipped = encoded([compressed], `${etag.slice(0, -1)}-gzip"`, 0);
        representation.gzip = gzipped;
        return gzipped;
      },
      (error: unknown) => {
        representation.gzip = null;
        throw error;
      },
    );
    representation.gzip = pending;
    return pending;
  }

  #representation(applications: Applications, format: PayloadFormat): Representation {
    let entry = this.#entries.get(applications);
    if (entry === undefined) {
      entry = {};
      this.#entries.set(applications, entry);
    }
    const existing = entry[format];
    if (existing !== undefined) return existing;
    this.#serial += 1;
    const representation: Representation = {
      identity: encoded(
        this.#encode(applications, format),
        `${this.#tagPrefix}${this.#serial}"`,
        this.#joinMaxBytes,
      ),
      gzip: null,
    };
    entry[format] = representation;
    return representation;
  }

  /**
   * Discovery's envelope around cached application fragments, joined as bytes: the envelope of
   * the document without applications, split where its applications go.
   */
  #encode(applications: Applications, format: PayloadFormat): Buffer[] {
    const spec = FORMATS[format];
    const fragments = this.#fragments[format];
    const fragmentOf = (application: Application): Buffer => {
      let fragment = fragments.get(application);
      if (fragment === undefined) {
        fragment = Buffer.from(spec.fragment(application));
        fragments.set(application, fragment);
      }
      return fragment;
    };
    const envelope = spec.render({ ...applications, applications: [] }, spec.fragment);
    if (!envelope.endsWith(spec.closing)) {
      return [Buffer.from(spec.render(applications, (a) => fragmentOf(a).toString()))];
    }
    const cut = envelope.length - spec.closing.length;
    const parts: Buffer[] = [Buffer.from(envelope.slice(0, cut))];
    let first = true;
    for (const application of applications.applications) {
      if (application.instances.length === 0) continue;
      if (!first) parts.push(spec.separator);
      parts.push(fragmentOf(application));
      first = false;
    }
    parts.push(Buffer.from(envelope.slice(cut)));
    return parts;
  }
}
