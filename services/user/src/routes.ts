import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { issueToken, timed, type Application, type BearerGuard } from '@stratus/boot';
import type { TypedClient } from '@stratus/http';
import type { UserDatabase } from './db.js';
import type { OrderServiceClient } from './order-service-client.js';
import { isDuplicateEmailError } from './db.js';
import { UserErrors } from './errors.js';
import type { PasswordUpgrader } from './password-upgrades.js';
import type { PasswordHasher } from './passwords.js';
import type { UserSettings } from './settings.js';

/** What the routes need. */
export interface UserRoutesOptions {
  app: Application;
  db: Kysely<UserDatabase>;
  passwords: PasswordHasher;
  /** Re-hashes passwords found in an older format after a successful login. */
  passwordUpgrades: PasswordUpgrader;
  /** The current settings (a refresh swaps them). */
  settings: () => UserSettings;
  /** Lets only requests with a valid bearer token through (`app.requireBearer()`). */
  auth: BearerGuard;
  /** order-service's declarative client (`app.feignClient(OrderServiceClient)`). */
  orderService: TypedClient<typeof OrderServiceClient>;
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
 * `POST /users` (sign-up), `POST /login` (a token in the `token` header and the body),
 * `GET /users/:userId` (behind a bearer token of that user, with the user's orders from
 * order-service, or none and `ordersUnavailable: true` when it cannot answer) and the seed's
 * `GET /health_check`, timed as `@Timed(value = "users.status", longTask = true)`.
 */
export const userRoutes: FastifyPluginAsync<UserRoutesOptions> = async (server, options) => {
  const { app, db, passwords, passwordUpgrades, settings } = options;
  const log = server.log.child({ component: 'users' });

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
          created_at: new Date(app.clock.now()).toISOString(),
        })
        .execute();
    } catch (error) {
      if (isDuplicateEmailError(error))
        throw UserErrors.DUPLICATE_EMAIL({ message: 'An account with this email already exists' });
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
    const check = await passwords.verify(user?.encrypted_pwd ?? null, password);
    if (!user || !check.matches) {
      log.info({ reason: user ? 'password' : 'unknown-email' }, 'login rejected');
      throw UserErrors.BAD_CREDENTIALS({ message: 'Email or password is incorrect' });
    }
    // Read on every login: a configuration refresh changes secret and lifetime live.
    const token = await issueToken({
      subject: user.user_id,
      secret: app.config.getString('token.secret') ?? '',
      expiresInMs: settings().tokenExpirationMs,
      clock: app.clock,
    });
    log.info({ userId: user.user_id }, 'user logged in');
    // Never on a failed login; the upgrade runs after this answer is written.
    if (check.needsRehash)
      passwordUpgrades.schedule(user.user_id, user.encrypted_pwd, password, check.format);
    return reply
      .header('token', token)
      .header('userId', user.user_id)
      .send({ token, userId: user.user_id });
  });

  server.get<{ Params: { userId: string } }>(
    '/users/:userId',
    { schema: userIdParams, preHandler: options.auth },
    async (request) => {
      const { userId } = request.params;
      if (request.principal?.subject !== userId)
        throw UserErrors.FORBIDDEN({ message: 'The token does not grant access to this user' });
      const user = await db
        .selectFrom('users')
        .select(['user_id', 'email', 'name'])
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!user)
        throw UserErrors.USER_NOT_FOUND({ message: 'No user with this id', details: { userId } });
      const { orders, isAvailable, reason } = await options.orderService.getOrders({
        userId,
        authorization: request.headers.authorization,
      });
      if (!isAvailable) {
        log.warn({ userId, reason }, 'order-service unavailable; answering without orders');
        return { email: user.email, name: user.name, userId, orders, ordersUnavailable: true };
      }
      return { email: user.email, name: user.name, userId: user.user_id, orders };
    },
  );

  const status = timed(
    'users.status',
    { longTask: true, metrics: app.metrics },
    async (_request: FastifyRequest, reply: FastifyReply) => {
      const text = [
        '[User Service]',
        `It's Working in User Service on PORT ${app.port}`,
        `token.expiration_time=${settings().tokenExpirationMs}`,
      ].join('\n');
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );
  server.get('/health_check', status);
};
