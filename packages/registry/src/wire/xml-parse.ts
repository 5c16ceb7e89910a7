import { decodeXmlName } from './xml.js';

/** A parsed element: attributes, child elements and the concatenated text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const MAX_DEPTH = 8;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string | null {
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);?/g, (match, ref: string) => {
    if (!match.endsWith(';')) bad = true;
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const known = ENTITIES[ref];
    if (known === undefined) bad = true;
    return known ?? '';
  });
  return bad ? null : out;
}

/**
 * Parses the simple XML Eureka clients send: elements, attributes, text,
 * comments and an optional `<?xml?>` declaration. Anything else (DOCTYPE,
 * entities, CDATA, processing instructions, mixed content deeper than 8
 * levels) returns `null`, which the endpoint answers with 415.
 */
export function parseSimpleXml(input: string): XmlElement | null {
  const text = input.replace(/^\uFEFF/, '').replace(/^\s*<\?xml[^?]*\?>/, '');
  if (/<!(?!--)|<\?/.test(text)) return null;
  const token =
    /<!--[\s\S]*?-->|<\/([A-Za-z_][\w.-]*)\s*>|<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)/gy;
  const attribute = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;
  interface Open {
    name: string;
    attributes: Map<string, string>;
    children: XmlElement[];
    text: string;
  }
  const stack: Open[] = [];
  let root: XmlElement | null = null;
  let consumed = 0;
  for (let match = token.exec(text); match !== null; match = token.exec(text)) {
    consumed = token.lastIndex;
    const [whole, closing, opening, attrs, selfClosing, chars] = match;
    if (whole.startsWith('<!--')) continue;
    if (chars !== undefined) {
      const top = stack.at(-1);
      if (top === undefined) {
        if (chars.trim() !== '') return null;
        continue;
      }
      const decoded = decodeEntities(chars);
      if (decoded === null) return null;
      top.text += decoded;
      continue;
    }
    if (opening !== undefined) {
      if (root !== null || stack.length >= MAX_DEPTH) return null;
      const attributes = new Map<string, string>();
      for (const a of (attrs ?? '').matchAll(attribute)) {
        const value = decodeEntities(a[2] ?? a[3] ?? '');
        if (value === null) return null;
        attributes.set(a[1]!, value);
      }
      const open: Open = { name: opening, attributes, children: [], text: '' };
      if (selfClosing === '/') {
        const done = Object.freeze({ ...open, text: '' });
        const parent = stack.at(-1);
        if (parent === undefined) root = done;
        else parent.children.push(done);
      } else {
        stack.push(open);
      }
      continue;
    }
    const open = stack.pop();
    if (open === undefined || open.name !== closing) return null;
    const done = Object.freeze({ ...open, text: open.children.length > 0 ? '' : open.text });
    const parent = stack.at(-1);
    if (parent === undefined) root = done;
    else parent.children.push(done);
  }
  if (consumed !== text.length || stack.length > 0) return null;
  return root;
}

function mapOf(element: XmlElement): Record<string, string> {
  return Object.fromEntries(
    element.children.map((child) => [decodeXmlName(child.name), child.text]),
  );
}

/**
 * Turns an XStream `<instance>` into the JSON shape the register parser
 * reads (`<port enabled="true">8080</port>` → `{"$":"8080","@enabled":"true"}`).
 * Returns null when the root is not `<instance>`.
 */
export function xmlInstanceToJson(root: XmlElement): Record<string, unknown> | null {
  if (root.name !== 'instance') return null;
  const out = new Map<string, unknown>();
  for (const child of root.children) {
    switch (child.name) {
      case 'port':
      case 'securePort': {
        const enabled = child.attributes.get('enabled');
        out.set(
          child.name,
          enabled === undefined ? { $: child.text } : { $: child.text, '@enabled': enabled },
        );
        break;
      }
      case 'dataCenterInfo': {
        const dc = new Map<string, unknown>();
        const className = child.attributes.get('class');
        if (className !== undefined) dc.set('@class', className);
        for (const part of child.children)
          dc.set(part.name, part.name === 'metadata' ? mapOf(part) : part.text);
        out.set('dataCenterInfo', Object.fromEntries(dc));
        break;
      }
      case 'leaseInfo':
      case 'metadata':
        out.set(child.name, mapOf(child));
        break;
      default:
        out.set(child.name, child.text);
    }
  }
  return Object.fromEntries(out);
}
