/** Formats a timestamp (epoch milliseconds) as text. */
export type DateFormatter = (epochMs: number) => string;

type Part = (date: Date, utc: boolean) => string;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function offset(date: Date, utc: boolean, colon: boolean, zulu: boolean): string {
  const minutes = utc ? 0 : -date.getTimezoneOffset();
  if (minutes === 0 && zulu) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${colon ? ':' : ''}${pad(abs % 60, 2)}`;
}

/** java.text.SimpleDateFormat letters Logback's `%d{…}` accepts, by run length where it matters. */
function letterPart(letter: string, count: number): Part | null {
  switch (letter) {
    case 'y':
      return (d, u) => {
        const year = u ? d.getUTCFullYear() : d.getFullYear();
        return count === 2 ? pad(year % 100, 2) : pad(year, count);
      };
    case 'M':
      return (d, u) => {
        const month = u ? d.getUTCMonth() : d.getMonth();
        return count >= 3 ? MONTHS[month]! : pad(month + 1, count);
      };
    case 'd':
      return (d, u) => pad(u ? d.getUTCDate() : d.getDate(), count);
    case 'E':
      return (d, u) => DAYS[u ? d.getUTCDay() : d.getDay()]!;
    case 'H':
      return (d, u) => pad(u ? d.getUTCHours() : d.getHours(), count);
    case 'h':
      return (d, u) => pad((((u ? d.getUTCHours() : d.getHours()) + 11) % 12) + 1, count);
    case 'a':
      return (d, u) => ((u ? d.getUTCHours() : d.getHours()) < 12 ? 'AM' : 'PM');
    case 'm':
      return (d, u) => pad(u ? d.getUTCMinutes() : d.getMinutes(), count);
    case 's':
      return (d, u) => pad(u ? d.getUTCSeconds() : d.getSeconds(), count);
    case 'S':
      return (d, u) => pad(u ? d.getUTCMilliseconds() : d.getMilliseconds(), 3).slice(0, count);
    case 'X':
      return (d, u) => offset(d, u, count >= 3, true);
    case 'Z':
      return (d, u) => offset(d, u, false, false);
    default:
      return null;
  }
}

/**
 * Compiles a Logback date pattern (SimpleDateFormat letters `yyyy MM dd HH mm ss SSS XXX Z E a`,
 * quoted literals, `ISO8601`) for local time or `UTC`. Returns `null` for a letter it does not
 * know, so configuration can name the bad pattern.
 *
 * @example
 * compileDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", 'UTC')!(0); // '1970-01-01T00:00:00.000Z'
 */
export function compileDateFormat(pattern: string, timeZone?: string): DateFormatter | null {
  const zone = timeZone?.trim().toUpperCase();
  if (zone !== undefined && zone !== '' && zone !== 'UTC' && zone !== 'GMT' && zone !== 'Z')
    return null;
  const utc = zone !== undefined && zone !== '';
  const source = pattern === 'ISO8601' ? 'yyyy-MM-dd HH:mm:ss,SSS' : pattern;
  const parts: Part[] = [];
  let literal = '';
  const flush = () => {
    if (literal === '') return;
    const text = literal;
    parts.push(() => text);
    literal = '';
  };
  for (let i = 0; i < source.length;) {
    const ch = source[i]!;
    if (ch === "'") {
      const end = source.indexOf("'", i + 1);
      if (end === -1) return null;
      literal += end === i + 1 ? "'" : source.slice(i + 1, end);
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let count = 1;
      while (source[i + count] === ch) count++;
      const part = letterPart(ch, count);
      if (part === null) return null;
      flush();
      parts.push(part);
      i += count;
    } else {
      literal += ch;
      i++;
    }
  }
  flush();
  let lastMs = Number.NaN;
  let lastText = '';
  return (epochMs) => {
    // Bursts of lines share a millisecond; format it once.
    if (epochMs === lastMs) return lastText;
    const date = new Date(epochMs);
    let text = '';
    for (const part of parts) text += part(date, utc);
    lastMs = epochMs;
    lastText = text;
    return text;
  };
}
