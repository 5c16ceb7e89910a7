// Removes named members from JSON text without re-serialising it: what is kept stays byte for
// byte (numbers beyond 2^53, escapes, key order, whitespace), where JSON.parse + stringify would
// round large numbers. The text must already be valid JSON (the caller parsed it); the walk is
// iterative, so deep nesting cannot overflow the stack.

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

interface Member {
  readonly keyStart: number;
  readonly isRemoved: boolean;
  valueEnd: number;
}

/** An object or array being walked; `open` is the object member whose value is being read. */
interface Frame {
  readonly isObject: boolean;
  readonly members: Member[];
  open: Member | null;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string whose opening quote is at `i`. */
function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index after the value starting at `i` (a string, container, number or literal). */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (;;) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = stringEnd(text, i);
        continue;
      }
      if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return i + 1;
      i++;
    }
  }
  let end = i;
  while (end < text.length) {
    const d = text.charCodeAt(end);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
    end++;
  }
  return end;
}

/** Reads the key at `i` into `frame.open`; returns the index of its value. */
function openMember(text: string, i: number, frame: Frame, names: ReadonlySet<string>): number {
  const keyEnd = stringEnd(text, i);
  const name = JSON.parse(text.slice(i, keyEnd)) as string;
  frame.open = { keyStart: i, isRemoved: names.has(name), valueEnd: -1 };
  const colon = skipSpace(text, keyEnd);
  return skipSpace(text, colon + 1);
}

/**
 * The spans that remove an object's marked members with the commas between them: a member
 * followed by another goes up to that one's key; a trailing run goes from the last kept value.
 */
function addSpans(spans: [number, number][], members: readonly Member[]): void {
  const last = members.length - 1;
  let lastKept = last;
  while (lastKept >= 0 && (members[lastKept] as Member).isRemoved) lastKept--;
  if (lastKept === -1) {
    if (last >= 0)
      spans.push([(members[0] as Member).keyStart, (members[last] as Member).valueEnd]);
    return;
  }
  for (let k = 0; k < lastKept; k++) {
    const member = members[k] as Member;
    if (member.isRemoved) spans.push([member.keyStart, (members[k + 1] as Member).keyStart]);
  }
  if (lastKept < last)
    spans.push([(members[lastKept] as Member).valueEnd, (members[last] as Member).valueEnd]);
}

/** The spans of `text` to cut; each lies outside the others. */
function removedSpans(
  text: string,
  names: ReadonlySet<string>,
  isRecursive: boolean,
): [number, number][] {
  const spans: [number, number][] = [];
  const stack: Frame[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    const parent = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    const isWalked =
      (c === OPEN_OBJECT || c === OPEN_ARRAY) &&
      (parent === undefined || (isRecursive && parent.open?.isRemoved !== true));
    if (isWalked) {
      const frame: Frame = { isObject: c === OPEN_OBJECT, members: [], open: null };
      stack.push(frame);
      i = skipSpace(text, i + 1);
      const next = text.charCodeAt(i);
      if (next !== CLOSE_OBJECT && next !== CLOSE_ARRAY) {
        if (frame.isObject) i = openMember(text, i, frame, names);
        continue;
      }
    } else i = valueEnd(text, i);
    // After a value (or at the bracket of an empty container): a comma, or containers closing.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return spans;
      if (top.open !== null) {
        top.open.valueEnd = i;
        top.members.push(top.open);
        top.open = null;
      }
      i = skipSpace(text, i);
      if (text.charCodeAt(i) === COMMA) {
        i = skipSpace(text, i + 1);
        if (top.isObject) i = openMember(text, i, top, names);
        break;
      }
      if (top.isObject) addSpans(spans, top.members);
      stack.pop();
      i++;
    }
  }
}

/**
 * `text` (valid JSON) without the members named in `names`: of the top-level object only, or of
 * every object at any depth (inside arrays too) when `isRecursive` — Spring's
 * `RemoveJsonAttributesResponseBody`. Everything kept is left exactly as written.
 */
export function removeJsonMembers(
  text: string,
  names: ReadonlySet<string>,
  isRecursive: boolean,
): string {
  const spans = removedSpans(text, names, isRecursive);
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start);
    at = end;
  }
  return out + text.slice(at);
}
