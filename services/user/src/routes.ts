import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { issueToken, type Application } from '@stratus/boot';
import { authenticate } from './auth.js';
import type { UserDatabase } from './db.js';
import { isDuplicateEmailError } from './db.js';
import { userError } from './errors.js';
import type { PasswordHasher } from './passwords.js';
import { tokenSettings } from './settings.js';

/** What the routes need. */
export interface UserRoutesContext {
  app: Application;
  db: Kysely<UserDatabase>;
  passwords: PasswordHasher;
}

interface SignUpBody {
  email: string;
  name: string;
  pwd: string;
}

interface LoginBody {
  email: string;
  password: string;
}

const signUpSchema = {
  body: {
    type: 'object',
    required: ['email', 'name', 'pwd'],
    additionalProperties: false,
    properties: {
      email: { type: 'string', format: 'email', minLength: 3, maxLength: 254 },
      name: { type: 'string', minLength: 2, maxLength: 50 },
      pwd: { type: 'string', minLength: 8, maxLength: 128 },
    },
  },
} as const;

const loginSchema = {
  body: {
    type: 'object',
    required: ['email', 'password'],
    additionalProperties: false,
    properties: {
      email: { type: 'string', minLength: 1, maxLength: 254 },
      password: { type: 'string', minLength: 1, maxLength: 128 },
    },
  },
} as const;

const userIdParams = {
  params: {
    type: 'object',
    required: ['userId'],
    properties: { userId: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

/**
 * Registers `POST /users`, `POST /login`, `GET /users/:userId` and
 * `GET /health_check` on `app.server`.
 */
export function registerUserRoutes({ app, db, passwords }: UserRoutesContext): void {
  const { server, config } = app;
  const log = app.logger.child({ component: 'users' });
  const orderServiceUrl = (): string =>
    (config.getString('shop.order-service.url') ?? 'lb://order-service').replace(/\/+$/, '');

  server.post<{ Body: SignUpBody }>('/users', { schema: signUpSchema }, async (request, reply) => {
    const { email, name, pwd } = request.body;
    const userId = randomUUID();
    const encrypted = await passwords.hash(pwd);
    try {
      await db
        .insertInto('users')
        .values({
          user_id: userId,
          email,
          name,
          encrypted_pwd: encrypted,
          created_at: new Date().toISOString(),
        })
        .execute();
    } catch (error) {
      if (isDuplicateEmailError(error)) {
        throw userError('SHOP_ERR_DUPLICATE_EMAIL', {
          message: 'An account with this email already exists',
        });
      }
      throw error;
    }
    log.info({ userId }, 'user registered');
    return reply.code(201).send({ email, name, userId });
  });

  server.post<{ Body: LoginBody }>('/login', { schema: loginSchema }, async (request, reply) => {
    const { email, password } = request.body;
    const user = await db
      .selectFrom('users')
      .select(['user_id', 'encrypted_pwd'])
      .where('email', '=', email)
      .executeTakeFirst();
    const ok = await passwords.verify(user?.encrypted_pwd ?? null, password);
    if (!user || !ok) {
      log.info({ reason: user ? 'password' : 'unknown-email' }, 'login rejected');
      throw userError('SHOP_ERR_BAD_CREDENTIALS', { message: 'Email or password is incorrect' });
    }
    // Read on every login: a configuration refresh changes secret and lifetime live.
    const { secret, expiresInMs } = tokenSettings(config);
    const token = await issueToken({ subject: user.user_id, secret, expiresInMs });
    log.info({ userId: user.user_id }, 'user logged in');
    return reply
      .header('token', token)
      .header('userId', user.user_id)
      .send({ token, userId: user.user_id });
  });

  server.get<{ Params: { userId: string } }>(
    '/users/:userId',
    { schema: userIdParams },
    async (request, reply) => {
      const subject = await authenticate(request, reply, tokenSettings(config).secret);
      const { userId } = request.params;
      if (subject !== userId)
        throw userError('SHOP_ERR_FORBIDDEN', {
          message: 'The token does not grant access to this user',
        });
      const user = await db
        .selectFrom('users')
        .select(['user_id', 'email', 'name'])
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!user)
        throw userError('SHOP_ERR_USER_NOT_FOUND', {
          message: 'No user with this id',
          details: { userId },
        });
      let orders: unknown[] = [];
      try {
        const { body } = await app.http.json<unknown>(
          `${orderServiceUrl()}/${encodeURIComponent(userId)}/orders`,
          {
            headers: { authorization: request.headers.authorization ?? '' },
          },
        );
        orders = Array.isArray(body) ? body : [];
      } catch (error) {
        // The seed's circuit-breaker fallback: the user without orders.
        const e = error as { code?: unknown; message?: unknown };
        log.warn(
          { userId, code: e.code, reason: e.message },
          'order-service unavailable; answering without orders',
        );
      }
      return { email: user.email, name: user.name, userId: user.user_id, orders };
    },
  );

  server.get('/health_check', async (_request, reply) => {
    const expiration = config.get('token.expiration_time');
    const text = [
      '[User Service]',
      `It's Working in User Service on PORT ${app.port}`,
      `token.expiration_time=${expiration === undefined ? '' : String(expiration)}`,
    ].join('\n');
    return reply.type('text/plain; charset=utf-8').send(text);
  });
}
