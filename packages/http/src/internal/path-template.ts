/** A path template (`/order-service/{userId}/orders`) checked once and expanded per call. */
export interface PathTemplate {
  readonly template: string;
  /** Parameter names, in order of appearance. */
  readonly names: readonly string[];
  /** The path with every parameter percent-encoded, or the reason it cannot be built. */
  expand(values: Readonly<Record<string, unknown>>): { path: string } | { problem: string };
}

const NAME = /^[A-Za-z_$][\w$]*$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Checks a template; returns the problem when it is not usable. */
export function compilePathTemplate(template: string): PathTemplate | string {
  if (!template.startsWith('/')) return `path '${template}' must start with '/'`;
  if (/[?#\s]/.test(template)) return `path '${template}' must not hold '?', '#' or spaces`;
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!NAME.test(name)) return `path '${template}': '{${name}}' is not a parameter name`;
    if (names.includes(name)) return `path '${template}': '{${name}}' appears twice`;
    names.push(name);
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, '')))
    return `path '${template}': unbalanced braces`;
  // Split once: literal parts at even indices, parameter names at odd ones.
  const parts = template.split(PLACEHOLDER);
  return {
    template,
    names,
    expand(values) {
      let path = parts[0]!;
      for (let i = 1; i < parts.length; i += 2) {
        const name = parts[i]!;
        const value = values[name];
        const text =
          typeof value === 'string'
            ? value
            : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
              ? String(value)
              : undefined;
        // An empty, `.` or `..` segment would change which resource the path names.
        if (text === undefined || text === '' || text === '.' || text === '..')
          return {
            problem: `path parameter '${name}' must be a non-empty string, number or boolean other than '.' and '..'`,
          };
        path += encodeURIComponent(text) + parts[i + 1]!;
      }
      return { path };
    },
  };
}
