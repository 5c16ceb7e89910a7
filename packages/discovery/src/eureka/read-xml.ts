import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isXmlCodePoint, isXmlText } from './characters.js';
import { decodeXmlName } from './write-xml.js';

/** A parsed element: attributes, child elements and the concatenated text. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

/** Nesting Eureka's `<instance>` needs is 4 (`instance/dataCenterInfo/metadata/key`). */
const MAX_DEPTH = 8;
/** A safety net for direct callers; the HTTP route's body limit (256 KiB) is far lower. */
const MAX_INPUT_CHARS = 1024 * 1024;
const ATTRIBUTES = ':@';
const TEXT = '#text';
const COMMENT = '#comment';
const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([a-z]+));/g;
const STRAY_AMPERSAND = /&(?!(?:#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);)/;
const DANGEROUS_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

// No DTD can reach the parser (refused before), so it must not expand anything itself.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: COMMENT,
  maxNestedTags: MAX_DEPTH + 1,
});

/**
 * Decodes the five predefined entities and character references; null for any other `&`,
 * an unknown entity, or a reference to a code point that is not an XML `Char` (NUL,
 * surrogates, beyond U+10FFFF).
 */
function decodeReferences(raw: string): string | null {
  if (!raw.includes('&')) return raw;
  if (STRAY_AMPERSAND.test(raw)) return null;
  let isValid = true;
  const decoded = raw.replace(
    REFERENCE,
    (_match, hex?: string, decimal?: string, name?: string) => {
      if (name !== undefined) return PREDEFINED[name] ?? ((isValid = false), '');
      const codePoint =
        hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal!, 10);
      if (!isXmlCodePoint(codePoint)) {
        isValid = false;
        return '';
      }
      return String.fromCodePoint(codePoint);
    },
  );
  return isValid ? decoded : null;
}

/**
 * The prolog and markup Eureka's XStream bodies use: an optional declaration first, comments
 * without `--` inside, and nothing else starting with `<!` or `<?` (no DOCTYPE, so no
 * entity definitions and no external entities; no CDATA; no processing instructions).
 */
function hasOnlyPlainMarkup(text: string): boolean {
  const body = text.replace(/^<\?xml\s[^?<>]*\?>/, '');
  if (body.includes('<?')) return false;
  for (let at = body.indexOf('<!'); at >= 0; at = body.indexOf('<!', at + 2)) {
    if (!body.startsWith('<!--', at)) return false;
    const end = body.indexOf('-->', at + 4);
    if (end < 0 || body.slice(at + 4, end).includes('--')) return false;
    at = end;
  }
  return true;
}

type OrderedNode = Record<string, unknown>;

function elementName(node: OrderedNode): string | null {
  const names = Object.keys(node).filter((key) => key !== ATTRIBUTES);
  return names.length === 1 ? names[0]! : null;
}

/** Converts one fast-xml-parser `preserveOrder` element; null when anything is refused. */
function toElement(node: OrderedNode, depth: number): XmlElement | null {
  const name = elementName(node);
  if (name === null || name === TEXT || name === COMMENT || depth > MAX_DEPTH) return null;
  if (DANGEROUS_NAMES.has(decodeXmlName(name))) return null;
  const attributes = new Map<string, string>();
  for (const [key, raw] of Object.entries((node[ATTRIBUTES] ?? {}) as Record<string, unknown>)) {
    // XML §3.1: an attribute value may not contain `<`.
    if (typeof raw !== 'string' || raw.includes('<') || attributes.has(key)) return null;
    const value = decodeReferences(raw);
    if (value === null) return null;
    attributes.set(key, value);
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of node[name] as OrderedNode[]) {
    const childName = elementName(child);
    if (childName === COMMENT) continue;
    if (childName === TEXT) {
      const decoded = decodeReferences(String(child[TEXT]));
      if (decoded === null) return null;
      text += decoded;
      continue;
    }
    const element = toElement(child, depth + 1);
    if (element === null) return null;
    children.push(element);
  }
  return Object.freeze({ name, attributes, children, text: children.length > 0 ? '' : text });
}

/**
 * Parses the simple XML Eureka clients send (XStream's form: elements, attributes, text,
 * comments, an optional `<?xml?>` declaration) with fast-xml-parser, configured for untrusted
 * input: well-formedness checked first, no DTD (so no entity expansion, no external
 * entities), no CDATA or processing instructions, at most 8 levels, at most 1 MiB, one root,
 * only XML 1.0 characters, and character references only to XML characters. Anything else
 * returns `null`, which the endpoint answers with 400. Never throws.
 */
export function parseSimpleXml(input: string): XmlElement | null {
  if (input.length > MAX_INPUT_CHARS || !isXmlText(input)) return null;
  const text = input.replace(/^\uFEFF/, '');
  if (!hasOnlyPlainMarkup(text) || XMLValidator.validate(text) !== true) return null;
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch {
    return null;
  }
  let root: XmlElement | null = null;
  for (const node of nodes) {
    const name = elementName(node);
    if (name === COMMENT) continue;
    if (name === TEXT) {
      if (String(node[TEXT]).trim() !== '') return null;
      continue;
    }
    if (root !== null) return null;
    root = toElement(node, 1);
    if (root === null) return null;
  }
  return root;
}

function mapOf(element: XmlElement): Record<string, string> {
  return Object.fromEntries(
    element.children.map((child) => [decodeXmlName(child.name), child.text]),
  ) as Record<string, string>;
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
