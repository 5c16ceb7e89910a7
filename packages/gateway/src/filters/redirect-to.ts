import { requireStatus } from '../internal/http-status.js';
import type { FilterFactory } from '../internal/types.js';

/**
 * `RedirectTo=302, https://acme.org` — answers at once with the status and `Location` (the
 * request's query appended with `includeRequestParams`). The target comes from configuration
 * only, never from the request (reliability.md §1.5: no open redirect). Use `uri: no://op`.
 */
export const redirectToFilterFactory: FilterFactory = {
  name: 'RedirectTo',
  shortcutFieldOrder: ['status', 'url', 'includeRequestParams'],
  create(args) {
    const status = requireStatus(args.string('status'), 'status');
    if (status < 300 || status > 399)
      throw new Error(`status must be a 3xx code, but was ${status}`);
    const url = args.required('url');
    let parsed: URL;
    try {
      parsed = new URL(url, 'http://relative.invalid');
    } catch {
      throw new Error(`argument 'url' is not a URI: ${JSON.stringify(url)}`);
    }
    if (!/^(?:https?:\/\/|\/(?!\/))/.test(url) || /[\s\\]/.test(url))
      throw new Error(
        `argument 'url' must be an http(s) URL or an absolute path: ${JSON.stringify(url)}`,
      );
    const includeRequestParams = args.boolean('includeRequestParams', false);
    const base = url;
    const hasQuery = parsed.search !== '';
    return {
      pre(exchange) {
        const location =
          includeRequestParams && exchange.query !== ''
            ? `${base}${hasQuery ? '&' : '?'}${exchange.query}`
            : base;
        exchange.responseHeaders['location'] = location;
        exchange.respond(status);
      },
    };
  },
};
