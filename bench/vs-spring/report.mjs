// The tables of bench/vs-spring: per load, Spring beside Stratus. Rounds are combined as the mean
// of requests/s and of p50, and the worst p99 of any round; the targets of the issue are checked
// on those numbers.

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const kb = (bytes) => (bytes / 1000).toFixed(0);
const mean = (values) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Mean req/s, mean p50, worst p99 and total errors of one server under one load. */
export function combine(results, load, server) {
  const rows = results.filter((r) => r.load === load && r.server === server && r.rps !== undefined);
  if (rows.length === 0) return null;
  return {
    rps: mean(rows.map((r) => r.rps)),
    p50Ms: mean(rows.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rows.map((r) => r.p99Ms)),
    errors: rows.reduce((n, r) => n + r.errors, 0),
  };
}

/** The issue's bar: ≥ `factor`× Spring's req/s with p99 ≤ Spring's. */
function verdict(spring, stratus, factor) {
  if (spring === null || stratus === null) return '';
  const ok = stratus.rps >= factor * spring.rps && stratus.p99Ms <= spring.p99Ms;
  return ok ? `ok (≥${factor}×)` : `MISSED (≥${factor}×, p99 ≤)`;
}

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

const fmt = (c) => (c === null ? '—' : c.rps.toFixed(0));
const lat = (c) => (c === null ? '—' : `${c.p50Ms.toFixed(1)} / ${c.p99Ms.toFixed(1)}`);

/** One table per read-only-cache mode for one fleet size. */
export function printRegistryTable(run, opts) {
  for (const mode of opts.modes) {
    const spring = `Spring ${mode}`;
    const stratus = `Stratus ${mode}`;
    const size = run.sizes.find((s) => s.server === stratus);
    console.log(
      `\nregistry: ${run.instances} instances in ${run.apps} apps, 1-hour leases, ` +
        `use-read-only-response-cache=${mode === 'ro'}; full JSON ${size ? kb(size.fullBytes) : '?'} KB ` +
        `(gzip ${size ? kb(size.fullGzipBytes) : '?'} KB); wrk -t1 -c${opts.connections} -d${opts.durationS}s, ` +
        `${opts.rounds} interleaved rounds, warm-up ${opts.warmupS} s each`,
    );
    const rows = [];
    for (const l of run.loads) {
      if (l.visibility) {
        const ms = (server) => {
          const values = run.results.filter((r) => r.load === l.name && r.server === server);
          return values.length === 0
            ? '—'
            : `${Math.max(...values.map((r) => r.registerVisibleMs)).toFixed(0)} ms`;
        };
        rows.push([l.label, ms(spring), ms(stratus), '', '', '', '']);
        continue;
      }
      const a = combine(run.results, l.name, spring);
      const b = combine(run.results, l.name, stratus);
      const ratio = a && b ? (b.rps / a.rps).toFixed(2) : '—';
      const factor = l.name === 'heartbeat' ? 1 : 2;
      const errors = (a?.errors ?? 0) + (b?.errors ?? 0);
      rows.push([
        l.label,
        fmt(a),
        fmt(b),
        ratio,
        lat(a),
        lat(b),
        `${verdict(a, b, factor)}${errors ? ` errors ${errors}` : ''}`,
      ]);
    }
    const rss = (server) => run.memory.find((m) => m.server === server)?.rssBytes;
    const rssA = rss(spring);
    const rssB = rss(stratus);
    rows.push([
      'RSS after the run (MiB)',
      rssA === undefined ? '—' : mib(rssA),
      rssB === undefined ? '—' : mib(rssB),
      rssA && rssB ? (rssB / rssA).toFixed(2) : '—',
      '',
      '',
      rssA && rssB ? (rssB <= rssA / 4 ? 'ok (≤ ¼)' : 'MISSED (≤ ¼)') : '',
    ]);
    printTable(
      [
        'load',
        'Spring req/s',
        'Stratus req/s',
        'ratio',
        'Spring p50/p99 ms',
        'Stratus p50/p99 ms',
        'target',
      ],
      rows,
    );
  }
}

/** The config server table. */
export function printConfigTable(config) {
  console.log(
    '\nconfig server: GET /user-service/default, native backend on one copy of config-repo/',
  );
  const a = combine(config.results, 'config', 'Spring');
  const b = combine(config.results, 'config', 'Stratus');
  const visible = (server) => {
    const values = config.results.filter(
      (r) => r.load === 'config-edit-visible' && r.server === server,
    );
    return `${Math.max(...values.map((r) => r.visibleMs)).toFixed(0)} ms`;
  };
  const rss = (server) => config.memory.find((m) => m.server === server)?.rssBytes ?? 0;
  printTable(
    ['load', 'Spring', 'Stratus', 'ratio', 'target'],
    [
      ['req/s', fmt(a), fmt(b), a && b ? (b.rps / a.rps).toFixed(2) : '—', verdict(a, b, 2)],
      ['p50 / p99 ms', lat(a), lat(b), '', ''],
      ['an edited file served after', visible('Spring'), visible('Stratus'), '', ''],
      [
        'RSS after the run (MiB)',
        mib(rss('Spring')),
        mib(rss('Stratus')),
        (rss('Stratus') / rss('Spring')).toFixed(2),
        rss('Stratus') <= rss('Spring') / 4 ? 'ok (≤ ¼)' : 'MISSED (≤ ¼)',
      ],
    ],
  );
}
