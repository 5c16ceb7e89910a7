import { compileTemplate } from '../internal/template.js';
import type { FilterFactory } from '../internal/types.js';

/** `SetPath=/{segment}` — replaces the path with the template, URI variables expanded. */
export const setPathFilterFactory: FilterFactory = {
  name: 'SetPath',
  shortcutFieldOrder: ['template'],
  create(args) {
    const text = args.required('template');
    if (!/^\/[^\s?#]*$/.test(text))
      throw new Error(
        `argument 'template' must be a path starting with '/': ${JSON.stringify(text)}`,
      );
    const template = compileTemplate(text);
    return {
      pre(exchange) {
        exchange.path = template(exchange.uriVariables);
      },
    };
  },
};
