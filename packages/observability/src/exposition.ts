/** The Prometheus text format 0.0.4, `/actuator/prometheus`'s default. */
export const PROMETHEUS_TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** OpenMetrics 1.0.0 text, which Prometheus asks for first. */
export const OPENMETRICS_TEXT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The exposition format an `Accept` header asks for. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/**
 * Content negotiation of Spring Boot's `PrometheusScrapeEndpoint`: OpenMetrics when the client
 * prefers `application/openmetrics-text` (by q-value, as Prometheus's scrape `Accept` does),
 * else the 0.0.4 text format. Protobuf is not offered; such clients get text.
 */
export function negotiateExposition(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || !accept.includes('openmetrics')) return 'prometheus';
  let openMetrics = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((item) => item.trim().toLowerCase());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === '*/*' || type === 'text/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

/**
 * Rewrites Prometheus 0.0.4 text as OpenMetrics 1.0.0: a counter family drops its `_total`
 * suffix from the `# TYPE`/`# HELP` name (its samples keep it), `untyped` becomes `unknown`,
 * blank lines go, and the text ends with `# EOF`.
 */
export function toOpenMetrics(text: string): string {
  const lines = text.split('\n');
  const counters = new Set<string>();
  for (const line of lines) {
    const match = /^# TYPE (\S+) counter$/.exec(line);
    if (match) counters.add(match[1]!);
  }
  const out: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith('# ')) {
      const match = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
      if (match === null) continue;
      const [, keyword, name = '', rest = ''] = match;
      const family = counters.has(name) && name.endsWith('_total') ? name.slice(0, -6) : name;
      out.push(
        `# ${keyword} ${family}${keyword === 'TYPE' && rest === ' untyped' ? ' unknown' : rest}`,
      );
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    const name = nameEnd === -1 ? line : line.slice(0, nameEnd);
    // A counter sample must end in _total in OpenMetrics.
    out.push(
      counters.has(name) && !name.endsWith('_total')
        ? `${name}_total${line.slice(name.length)}`
        : line,
    );
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}
