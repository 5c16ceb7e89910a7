import { resolve } from 'node:path';
import { createEmbeddedLog, type Transport } from '@stratus/messaging';
import { StratusError, type Logger } from '@stratus/core';
import type { LiveConfig } from './live-config.js';

/**
 * Creates the event transport chosen by `stratus.messaging.transport`
 * (`embedded`, the default: a SQLite log at `stratus.messaging.embedded.path`,
 * shared by every local process).
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for an unknown transport.
 */
export function createTransportFromConfig(config: LiveConfig, logger: Logger): Transport {
  const kind = String(config.get('stratus.messaging.transport', 'embedded')).toLowerCase();
  if (kind === 'embedded') {
    const dataDir = String(config.get('stratus.data-dir', './data'));
    const path = resolve(
      String(config.get('stratus.messaging.embedded.path', `${dataDir}/events.db`)),
    );
    return createEmbeddedLog({
      path,
      pollIntervalMs: config.getNumber('stratus.messaging.embedded.poll-interval-ms', 100),
      logger: logger.child({ component: 'embedded-log' }),
    });
  }
  throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
    message: `stratus.messaging.transport '${kind}' is not supported yet (embedded)`,
    details: { problems: [`stratus.messaging.transport: '${kind}' is not one of embedded`] },
    retryable: false,
  });
}
