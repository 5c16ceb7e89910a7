import { bindProperties, type ConfigEnvironment } from '@stratus/config';

/** `token.expiration_time` when nothing sets it: one day, in ms (the seed's value). */
export const DEFAULT_TOKEN_EXPIRATION_MS = 86_400_000;

/** user-service's own settings (`token.secret` is boot's: `requireBearer()` checks it). */
export interface UserSettings {
  /** `token.expiration_time`: lifetime of a login token. @default 86400000 ms (one day) */
  readonly tokenExpirationMs: number;
  /** `shop.order-service.url`: where a user's orders come from. @default 'lb://order-service' */
  readonly orderServiceUrl: string;
  /** `shop.password.argon2.*`: argon2id costs of new hashes; unset ones take the hasher's defaults. */
  readonly argon2: {
    readonly memoryCostKib?: number | undefined;
    readonly timeCost?: number | undefined;
    readonly parallelism?: number | undefined;
  };
}

const USER_PROPERTIES = {
  tokenExpirationMs: {
    key: 'token.expiration_time',
    type: 'number',
    min: 1,
    default: DEFAULT_TOKEN_EXPIRATION_MS,
  },
  orderServiceUrl: { key: 'shop.order-service.url', type: 'string', default: 'lb://order-service' },
  argon2: {
    key: 'shop.password.argon2',
    type: 'object',
    properties: {
      memoryCostKib: { key: 'memory-cost', type: 'int', min: 1024 },
      timeCost: { key: 'time-cost', type: 'int', min: 1 },
      parallelism: { key: 'parallelism', type: 'int', min: 1 },
    },
  },
} as const;

/**
 * Binds user-service's settings; `app.bindSettings(bindUserSettings)` keeps them live (a
 * refresh with a bad value is rejected).
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` naming each bad key and its file.
 */
export function bindUserSettings(env: ConfigEnvironment): UserSettings {
  const bound = bindProperties(env, USER_PROPERTIES, {
    ownedPrefixes: ['shop.password', 'shop.order-service'],
  });
  return Object.freeze({
    ...bound,
    orderServiceUrl: bound.orderServiceUrl.replace(/\/+$/, ''),
  });
}
