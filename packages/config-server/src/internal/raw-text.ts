import type { FastifyInstance } from 'fastify';

/**
 * Inside an encapsulated plugin, reads every request body as a string of at most
 * `maxBodyBytes` (larger gives 413), whatever its media type — Spring's `@RequestBody String`
 * for `/encrypt`, `/decrypt` and `/monitor`. Routes outside the plugin keep boot's parsers.
 */
export function acceptRawText(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
}
