import type { FilterFactory } from '../internal/types.js';

function decodedName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** `RemoveRequestParameter=red` — every `red` parameter is dropped; the others stay as sent. */
export const removeRequestParameterFilterFactory: FilterFactory = {
  name: 'RemoveRequestParameter',
  shortcutFieldOrder: ['name'],
  create(args) {
    const name = args.required('name');
    return {
      pre(exchange) {
        if (exchange.query === '') return;
        exchange.query = exchange.query
          .split('&')
          .filter((pair) => pair !== '' && decodedName(pair) !== name)
          .join('&');
      },
    };
  },
};
