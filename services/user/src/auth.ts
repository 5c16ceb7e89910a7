import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateBearer } from '@stratus/boot';
import { userError } from './errors.js';

/**
 * The subject of the request's valid bearer token. On failure sets
 * `WWW-Authenticate` (RFC 6750 §3) and throws.
 *
 * @throws StratusError `SHOP_ERR_UNAUTHORIZED` (401) for a missing, malformed, forged or expired token.
 */
export async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
): Promise<string> {
  const subject = await authenticateBearer(request, reply, secret);
  if (subject === null) {
    throw userError('SHOP_ERR_UNAUTHORIZED', { message: 'A valid bearer token is required' });
  }
  return subject;
}
