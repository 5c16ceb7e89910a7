import type { FastifyInstance } from 'fastify';
import type { StratusError } from '@stratus/core';
import { decodeUtf8, findTextProblem, parseSimpleXml, xmlInstanceToJson } from '@stratus/discovery';
import { RegistryErrors } from '../../errors.js';

/** The error of a request fastify refused before a handler ran (413, 415, other 4xx → 400). */
export function requestError(statusCode: number): StratusError {
  if (statusCode === 413) return RegistryErrors.BODY_TOO_LARGE();
  if (statusCode === 415) return RegistryErrors.UNSUPPORTED_MEDIA_TYPE();
  return RegistryErrors.MALFORMED_BODY();
}

/**
 * Reads bodies as bytes, decoded as strict UTF-8; every key and string must be XML text (no
 * NUL, no lone surrogate), since everything stored is also served as XML. XML bodies go through
 * the hardened reader of `@stratus/discovery` (no DTD, no CDATA, bounded depth). Spring's client
 * sends `Content-Type: application/json` on body-less heartbeats: an empty body is no body.
 */
export function installBodyParsers(
  scope: FastifyInstance,
  limits: { maxBodyBytes: number; maxBatchBodyBytes: number },
): void {
  const strictJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: Math.max(limits.maxBodyBytes, limits.maxBatchBodyBytes) },
    (request, body, done) => {
      const text = decodeUtf8(body as Buffer);
      if (text === null) return done(requestError(400), undefined);
      if (text.trim() === '') return done(null, undefined);
      void strictJson(request, text, (error, value) => {
        if (error !== null) done(error, undefined);
        else if (findTextProblem(value) !== null) done(requestError(400), undefined);
        else done(null, value);
      });
    },
  );
  scope.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'buffer', bodyLimit: limits.maxBodyBytes },
    (_request, body, done) => {
      const text = decodeUtf8(body as Buffer);
      const root = text === null ? null : parseSimpleXml(text);
      const instance = root === null ? null : xmlInstanceToJson(root);
      if (instance === null) done(requestError(400), undefined);
      else done(null, { instance });
    },
  );
}
