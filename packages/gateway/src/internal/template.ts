/** A string with `{name}` URI-variable placeholders, compiled once. */
export type Template = (vars: Readonly<Record<string, string>>) => string;

/**
 * Compiles `{name}` placeholders (Spring's `ServerWebExchangeUtils.expand`).
 * A placeholder without a matching variable is left as written.
 */
export function compileTemplate(text: string): Template {
  if (!text.includes('{')) return () => text;
  const parts = text.split(/(\{[A-Za-z_][\w-]*\})/);
  return (vars) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (i % 2 === 1) {
        const name = part.slice(1, -1);
        out += Object.hasOwn(vars, name) ? (vars[name] as string) : part;
      } else out += part;
    }
    return out;
  };
}
