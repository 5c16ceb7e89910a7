import type { Logger } from '@stratus/core';
import type { InstanceStatus } from '../../types.js';
import { SingleFlight } from '../single-flight.js';
import type { Registration } from './registration.js';

/**
 * Reports the service's own health as its Eureka status (Spring's
 * `eureka.client.healthcheck.enabled`): a changed status registers again; a throw counts as DOWN.
 */
export class HealthReporter {
  readonly #flight = new SingleFlight<InstanceStatus | null>();
  readonly #registration: Registration;
  readonly #healthStatus: (() => InstanceStatus | Promise<InstanceStatus>) | undefined;
  readonly #log: Logger;
  readonly #isClosing: () => boolean;

  constructor(context: {
    registration: Registration;
    healthStatus: (() => InstanceStatus | Promise<InstanceStatus>) | undefined;
    log: Logger;
    isClosing: () => boolean;
  }) {
    this.#registration = context.registration;
    this.#healthStatus = context.healthStatus;
    this.#log = context.log;
    this.#isClosing = context.isClosing;
  }

  /** The evaluation in flight, or null. */
  get inFlight(): Promise<InstanceStatus | null> | null {
    return this.#flight.current;
  }

  /** Evaluates the health now (coalesced); answers the status in force. */
  check(): Promise<InstanceStatus | null> {
    return this.#flight.run(() => this.#check());
  }

  async #check(): Promise<InstanceStatus | null> {
    const registration = this.#registration;
    if (!registration.isEnabled) return null;
    if (this.#healthStatus === undefined || this.#isClosing()) return registration.status;
    let status: InstanceStatus;
    try {
      status = await this.#healthStatus();
    } catch (error) {
      this.#log.warn({ err: error }, 'health status threw, reporting DOWN');
      status = 'DOWN';
    }
    if (status !== registration.status && !this.#isClosing()) await registration.setStatus(status);
    return registration.status;
  }
}
