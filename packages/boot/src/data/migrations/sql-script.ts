import { BootErrors } from '../../errors.js';

/**
 * Splits a SQL script into statements at `;`, the way Flyway's parser does for the three
 * databases: not inside '…' and "…" and `…` quotes, `--` and `/* … *\/` comments, or
 * PostgreSQL's `$tag$ … $tag$` bodies. Empty statements (and comment-only ones) are dropped.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const statement = script.slice(start, end).trim();
    if (stripComments(statement).trim() !== '') statements.push(statement);
    start = end + 1;
  };
  while (i < script.length) {
    const ch = script[i]!;
    const next = script[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') i = closing(script, i, ch);
    else if (ch === '-' && next === '-') i = lineEnd(script, i);
    else if (ch === '/' && next === '*') i = blockEnd(script, i);
    else if (ch === '$') i = dollarEnd(script, i);
    else if (ch === ';') push(i);
    i += 1;
  }
  push(script.length);
  return statements;
}

/** Index of the quote closing the one at `open` (a doubled quote is an escaped one). */
function closing(script: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < script.length) {
    if (script[i] === '\\' && quote !== '"') i += 1;
    else if (script[i] === quote) {
      if (script[i + 1] !== quote) return i;
      i += 1;
    }
    i += 1;
  }
  return script.length;
}

function lineEnd(script: string, from: number): number {
  const end = script.indexOf('\n', from);
  return end < 0 ? script.length : end;
}

function blockEnd(script: string, from: number): number {
  const end = script.indexOf('*/', from + 2);
  return end < 0 ? script.length : end + 1;
}

function dollarEnd(script: string, from: number): number {
  const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(script.slice(from));
  if (!tag) return from;
  const end = script.indexOf(tag[0], from + tag[0].length);
  return end < 0 ? script.length : end + tag[0].length - 1;
}

function stripComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/**
 * Replaces Flyway placeholders (`${name}`) from `spring.flyway.placeholders.*`, and Flyway's
 * built-in `${flyway:table}`. An unknown placeholder is an error, as in Flyway.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` naming the placeholder and the script.
 */
export function replacePlaceholders(
  script: string,
  placeholders: Readonly<Record<string, string>>,
  builtIns: Readonly<Record<string, string>>,
  scriptName: string,
): string {
  return script.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    const value = name.startsWith('flyway:') ? builtIns[name.slice('flyway:'.length)] : placeholders[name];
    if (value === undefined)
      throw BootErrors.DATASOURCE({
        message: `Migration ${scriptName}: no value for placeholder \${${name}} (spring.flyway.placeholders.${name})`,
        details: { migration: scriptName },
      });
    return value;
  });
}
