/**
 * Java's `Float.toString` for the values a breaker reports (rates in −1…100): the shortest
 * decimal that reads back as the same float, with at least one digit after the point
 * (`50.0`, `-1.0`, `33.333332`). Actuator bodies print rates as `rate + "%"` in Java.
 */
export function formatJavaFloat(value: number): string {
  const f = Math.fround(value);
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? 'Infinity' : '-Infinity';
  let shortest = String(f);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) {
      shortest = String(candidate);
      break;
    }
  }
  const magnitude = Math.abs(f);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e7)) return javaScientific(shortest);
  return shortest.includes('.') || shortest.includes('e') ? shortest : `${shortest}.0`;
}

function javaScientific(text: string): string {
  const [mantissa = '0', exponent = '0'] = Number(text).toExponential().split('e');
  const withPoint = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${withPoint}E${Number(exponent)}`;
}

/** Java's float arithmetic for a percentage: `part * 100.0f / total`, rounded to a float. */
export function floatPercentage(part: number, total: number): number {
  // Rounding the double quotient to float equals float division (double has > 2·24+2 bits).
  return Math.fround((part * 100) / total);
}
