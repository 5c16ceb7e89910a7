// Hostile XML register bodies: every one gets a 4xx, nothing is stored, nothing is logged as
// an error, and the server keeps working. Observed before: `&#x110000;` answered 500 with a
// stack trace in the log, and `&#xD800;` was stored under an id no request could address.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { createLogger } from '@stratus/core';
import { startEurekaApi } from './testing.js';
import {
  instanceToXml,
  isXmlText,
  parseInstance,
  parseSimpleXml,
  xmlInstanceToJson,
  type XmlElement,
} from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';

async function start(t: TestContext) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ name: 'hostile-xml', level: 'debug', destination });
  const { base, registry, close } = await startEurekaApi({ logger });
  t.after(close);
  const errorLines = () =>
    lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  return { base, registry, errorLines };
}

const DC =
  '<dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>';

/** A valid XStream register body; `host`, `inner` and `port` are spliced in unescaped. */
const body = ({ host = 'host', inner = '', port = '<port enabled="true">8080</port>' } = {}) =>
  `<instance><instanceId>host:myapp:8080</instanceId><hostName>${host}</hostName><app>MYAPP</app>` +
  `<ipAddr>10.0.0.5</ipAddr><status>UP</status>${port}${DC}${inner}</instance>`;

const nested = (levels: number) => '<m>'.repeat(levels) + 'x' + '</m>'.repeat(levels);

/** Each entry: what it is, and the raw body (string, or bytes for malformed UTF-8). */
const CORPUS: Array<[string, string | Buffer]> = [
  // Character references outside XML 1.0's Char production.
  ['reference beyond U+10FFFF (hex)', body({ host: '&#x110000;' })],
  ['reference beyond U+10FFFF (decimal)', body({ host: '&#1114112;' })],
  ['huge reference', body({ host: `&#${'9'.repeat(400)};` })],
  ['lone high surrogate reference', body({ host: 'a&#xD800;' })],
  ['lone low surrogate reference', body({ host: '&#xDFFF;b' })],
  ['surrogate pair as two references', body({ host: '&#xD83D;&#xDE00;' })],
  ['decimal surrogate reference', body({ host: '&#55296;' })],
  ['NUL reference', body({ host: 'a&#0;b' })],
  ['NUL hex reference', body({ host: '&#x0000;' })],
  ['C0 control reference', body({ host: '&#x1;' })],
  ['vertical tab reference', body({ host: '&#11;' })],
  ['U+FFFE reference', body({ host: '&#xFFFE;' })],
  ['U+FFFF reference', body({ host: '&#xFFFF;' })],
  ['empty hex reference', body({ host: '&#x;' })],
  ['non-hex reference', body({ host: '&#xZZ;' })],
  ['negative reference', body({ host: '&#-65;' })],
  ['reference without semicolon', body({ host: '&#x41' })],
  ['bad reference in an attribute', body({ port: '<port enabled="&#x0;">8080</port>' })],
  ['surrogate reference in metadata', body({ inner: '<metadata><k>&#xDBFF;</k></metadata>' })],
  // Raw characters and bytes.
  ['raw NUL', body({ host: 'a\u0000b' })],
  ['raw C0 control', body({ host: 'a\u0001b' })],
  ['raw U+FFFF', body({ host: 'a\uFFFFb' })],
  ['raw NUL in a comment', body({ inner: '<!-- \u0000 -->' })],
  ['invalid UTF-8 byte', Buffer.concat([Buffer.from(body({ host: 'a' })), Buffer.from([0xff])])],
  ['overlong NUL', utf8With(body({ host: 'HOST' }), 'HOST', [0xc0, 0x80])],
  ['CESU-8 surrogate bytes', utf8With(body({ host: 'HOST' }), 'HOST', [0xed, 0xa0, 0x80])],
  ['truncated UTF-8 sequence', utf8With(body({ host: 'HOST' }), 'HOST', [0xe2, 0x82])],
  ['overlong slash', utf8With(body({ host: 'HOST' }), 'HOST', [0xc0, 0xaf])],
  // Entities and DTDs.
  ['unknown entity', body({ host: '&unknown;' })],
  ['HTML entity', body({ host: 'a&nbsp;b' })],
  ['bare ampersand', body({ host: 'a & b' })],
  ['entity without semicolon', body({ host: 'a&amp b' })],
  [
    'billion laughs',
    '<?xml version="1.0"?><!DOCTYPE instance [<!ENTITY lol "lol">' +
      Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
      ).join('') +
      ']>' +
      body({ host: '&lol9;' }),
  ],
  [
    'XXE file',
    `<!DOCTYPE instance [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${body({ host: '&xxe;' })}`,
  ],
  [
    'XXE http',
    `<!DOCTYPE instance [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>${body({ host: '&xxe;' })}`,
  ],
  [
    'parameter entity',
    `<!DOCTYPE instance [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>${body()}`,
  ],
  ['external DTD', `<!DOCTYPE instance SYSTEM "http://127.0.0.1:9/x.dtd">${body()}`],
  ['bare DOCTYPE', `<!DOCTYPE instance>${body()}`],
  ['DOCTYPE after a comment', `<!-- x --><!DOCTYPE instance>${body()}`],
  ['ENTITY declaration in content', body({ inner: '<!ENTITY e "x">' })],
  ['lower-case doctype', `<!doctype instance>${body()}`],
  // Depth and size.
  ['metadata nested 9 deep', body({ inner: `<metadata>${nested(8)}</metadata>` })],
  ['2000 levels', body({ inner: nested(2000) })],
  ['body over the limit', body({ host: 'h'.repeat(300 * 1024) })],
  // CDATA, comments, processing instructions.
  ['CDATA host', body({ host: '<![CDATA[host]]>' })],
  ['CDATA hiding markup', body({ host: '<![CDATA[</hostName><hostName>evil]]>' })],
  ['unterminated CDATA', body({ host: '<![CDATA[host' })],
  ['unterminated comment', body({ inner: '<!-- open' })],
  ['double hyphen in a comment', body({ inner: '<!-- a -- b -->' })],
  ['processing instruction', `<?xml-stylesheet href="x"?>${body()}`],
  ['processing instruction inside', body({ inner: '<?php system("id"); ?>' })],
  ['declaration after the root', `${body()}<?xml version="1.0"?>`],
  // Namespaces.
  [
    'namespaced root',
    body()
      .replace(/<(\/?)instance>/g, '<$1x:instance>')
      .replace('<x:instance>', '<x:instance xmlns:x="urn:x">'),
  ],
  ['undeclared prefix root', body().replace(/<(\/?)instance>/g, '<$1x:instance>')],
  ['namespaced fields only', body().replace(/<(\/?)hostName>/g, '<$1e:hostName>')],
  // Attributes.
  ['duplicate attribute', body({ port: '<port enabled="true" enabled="false">8080</port>' })],
  ['unquoted attribute', body({ port: '<port enabled=true>8080</port>' })],
  ['attribute without a value', body({ port: '<port enabled>8080</port>' })],
  ['less-than in an attribute', body({ port: '<port enabled="<">8080</port>' })],
  ['__proto__ attribute', body({ port: '<port __proto__="x">8080</port>' })],
  ['attribute on a closing tag', body({ port: '<port>8080</port enabled="true">' })],
  // Structure.
  ['two roots', `${body()}${body()}`],
  ['text after the root', `${body()}trailing`],
  ['unclosed element', body({ inner: '<metadata>' })],
  ['mismatched element', body({ inner: '<metadata></meta>' })],
  ['__proto__ element', body({ inner: '<metadata><__proto__>x</__proto__></metadata>' })],
  [
    'XStream-encoded __proto__ key',
    body({ inner: '<metadata><____proto____>x</____proto____></metadata>' }),
  ],
  ['constructor element', body({ inner: '<metadata><constructor>x</constructor></metadata>' })],
  ['empty body', ''],
  ['only a declaration', '<?xml version="1.0"?>'],
  ['JSON sent as XML', '{"instance":{"hostName":"h"}}'],
  ['other root', '<application><name>MYAPP</name></application>'],
];

function utf8With(text: string, marker: string, bytes: number[]): Buffer {
  const [before, after] = text.split(marker) as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}

test('every hostile XML body gets a 4xx, nothing is stored and nothing is logged as an error', async (t) => {
  const { base, registry, errorLines } = await start(t);
  for (const [what, payload] of CORPUS) {
    const response = await fetch(`${base}/eureka/apps/MYAPP`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: payload,
    });
    await response.text();
    assert.ok(response.status >= 400 && response.status < 500, `${what}: ${response.status}`);
    assert.equal(registry.stats().registeredInstances, 0, `${what}: nothing stored`);
  }
  assert.deepEqual(errorLines(), []);
  // Positive control: the same server stores a clean body.
  const ok = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: body({ host: 'a&amp;b &#x1F600;' }),
  });
  assert.equal(ok.status, 204);
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.hostName, 'a&b \u{1F600}');
});

test('out-of-range references, surrogates and NUL get 400 with the plain-text reason', async (t) => {
  const { base } = await start(t);
  for (const host of ['&#x110000;', '&#xD800;', '&#0;', 'a\u0000b']) {
    const response = await fetch(`${base}/eureka/apps/MYAPP`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: body({ host }),
    });
    assert.equal(response.status, 400, host);
    assert.equal(await response.text(), 'Malformed request body');
  }
});

test('the XStream forms Eureka clients send are still read: declaration, comments, attributes, entities', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- from XStream -->\n' +
    body({
      host: 'a&lt;b&gt;&amp;&quot;&apos;&#65;&#x42;',
      inner:
        '<metadata class="java.util.Collections$EmptyMap"/><leaseInfo><durationInSecs>30</durationInSecs></leaseInfo>',
    });
  const root = parseSimpleXml(xml);
  assert.ok(root !== null);
  const json = xmlInstanceToJson(root);
  assert.equal(json?.hostName, 'a<b>&"\'AB');
  assert.deepEqual(json?.port, { $: '8080', '@enabled': 'true' });
  assert.deepEqual(json?.leaseInfo, { durationInSecs: '30' });
});

/** Strings of XML characters, astral ones and markup characters included. */
const xmlString = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .map((s) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''))
  .filter((s) => s.trim() !== '' && s === s.trim());

test('fuzz: an instance rendered as XStream XML reads back as the same instance', () => {
  fc.assert(
    fc.property(xmlString, xmlString, xmlString, (hostName, ipAddr, value) => {
      const instance = sampleInstance({
        hostName,
        ipAddr,
        instanceId: `${hostName}:x`,
        metadata: { key: value, a$b: value },
      });
      const root = parseSimpleXml(instanceToXml(instance));
      assert.ok(root !== null);
      const parsed = parseInstance({ instance: xmlInstanceToJson(root) }, 'MYAPP', 1);
      assert.ok(parsed.ok);
      assert.equal(parsed.instance.hostName, hostName);
      assert.equal(parsed.instance.ipAddr, ipAddr);
      assert.equal(parsed.instance.instanceId, `${hostName}:x`);
      assert.deepEqual(parsed.instance.metadata, { key: value, a$b: value });
    }),
    { numRuns: 300 },
  );
});

function everyText(element: XmlElement, depth = 1): boolean {
  if (depth > 8 || !isXmlText(element.text)) return false;
  for (const value of element.attributes.values()) if (!isXmlText(value)) return false;
  return element.children.every((child) => everyText(child, depth + 1));
}

const TOKENS = [
  '<instance>',
  '</instance>',
  '<a>',
  '</a>',
  '<b x="1">',
  '</b>',
  '<c/>',
  '&amp;',
  '&lt;',
  '&#65;',
  '&#x110000;',
  '&#xD800;',
  '&#0;',
  '&e;',
  '&',
  '<!DOCTYPE x [<!ENTITY e "v">]>',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<?pi x?>',
  '"',
  "'",
  '=',
  '>',
  '<',
  'text',
  ' ',
  '\u0000',
  '\uD800',
  '\u{1F600}',
  'xmlns:x="u"',
  '<x:a>',
  '</x:a>',
];

test('fuzz: parseSimpleXml never throws and returns only XML text within 8 levels', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (tokens) => {
      const root = parseSimpleXml(tokens.join(''));
      if (root !== null) assert.ok(everyText(root), tokens.join(''));
    }),
    { numRuns: 2000 },
  );
});
