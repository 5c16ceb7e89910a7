import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateBearer } from '@stratus/boot';
import { orderError } from './errors.js';

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
    throw orderError('SHOP_ERR_UNAUTHORIZED', { message: 'A valid bearer token is required' });
  }
  return subject;
}

/**
 * Checks that the token's subject is `userId`.
 * @throws StratusError `SHOP_ERR_UNAUTHORIZED` (401) or `SHOP_ERR_FORBIDDEN` (403).
 */
export async function authorizeUser(
  request: FastifyRequest,
  reply: FastifyReply,
  secret: string,
  userId: string,
): Promise<void> {
  const subject = await authenticate(request, reply, secret);
  if (subject !== userId)
    throw orderError('SHOP_ERR_FORBIDDEN', {
      message: "The token does not grant access to this user's orders",
    });
}
