import type { Clock, Logger } from '@stratus/core';
import type { HeartbeatResult } from '../../eureka-client.js';
import type { EurekaInstanceInfo, InstanceStatus } from '../../types.js';
import { SingleFlight } from '../single-flight.js';
import { encodeSegment } from '../service-url.js';
import type { Transport } from '../transport.js';

/**
 * This client's own lease: register, heartbeat (re-registering on 404, as Eureka's
 * `DiscoveryClient.renew` does), status changes and the cancel at close (spring-wire §1.3–1.6).
 */
export class Registration {
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #isClosing: () => boolean;
  readonly #heartbeats = new SingleFlight<HeartbeatResult>();
  #instance: EurekaInstanceInfo | null;
  #registered = false;

  constructor(
    instance: EurekaInstanceInfo | null,
    context: { transport: Transport; clock: Clock; log: Logger; isClosing: () => boolean },
  ) {
    this.#instance = instance === null ? null : structuredClone(instance);
    this.#transport = context.transport;
    this.#clock = context.clock;
    this.#log = context.log;
    this.#isClosing = context.isClosing;
  }

  /** Whether this client registers at all. */
  get isEnabled(): boolean {
    return this.#instance !== null;
  }

  get isRegistered(): boolean {
    return this.#registered;
  }

  /** The status this client registers with, or null when it does not register. */
  get status(): InstanceStatus | null {
    return this.#instance?.status ?? null;
  }

  /** The heartbeat in flight, or null. */
  get heartbeatInFlight(): Promise<HeartbeatResult> | null {
    return this.#heartbeats.current;
  }

  /** POSTs the instance; true on 204. */
  async register(): Promise<boolean> {
    const instance = this.#instance;
    if (instance === null || this.#isClosing()) return false;
    const response = await this.#transport.send({
      method: 'POST',
      path: this.#appPath(instance),
      json: { instance },
    });
    this.#registered = response?.status === 204;
    if (this.#registered)
      this.#log.info(
        { app: instance.app, instanceId: instance.instanceId, server: response!.server },
        'registered with registry',
      );
    else
      this.#log.warn(
        { app: instance.app, status: response?.status ?? null },
        'registration failed, will retry',
      );
    return this.#registered;
  }

  /** One heartbeat (coalesced): PUT, re-register on 404, register if never registered. */
  heartbeat(): Promise<HeartbeatResult> {
    return this.#heartbeats.run(() => this.#heartbeat());
  }

  /** Changes the registered status (marks it dirty) and registers again. */
  async setStatus(status: InstanceStatus): Promise<void> {
    if (this.#instance === null) return;
    const now = this.#clock.now();
    this.#instance = {
      ...this.#instance,
      status,
      lastUpdatedTimestamp: now,
      lastDirtyTimestamp: now,
    };
    this.#log.info(
      { app: this.#instance.app, instanceId: this.#instance.instanceId, status },
      'instance status changed',
    );
    await this.register();
  }

  /** Cancels the lease (DELETE) when registered. */
  async cancel(): Promise<void> {
    const instance = this.#instance;
    if (!this.#registered || instance === null) return;
    const response = await this.#transport.send({
      method: 'DELETE',
      path: this.#instancePath(instance),
    });
    this.#registered = false;
    if (response?.status === 200)
      this.#log.info({ app: instance.app, instanceId: instance.instanceId }, 'deregistered');
    else
      this.#log.warn(
        { app: instance.app, status: response?.status ?? null },
        'deregistration failed',
      );
  }

  async #heartbeat(): Promise<HeartbeatResult> {
    const instance = this.#instance;
    if (instance === null || this.#isClosing()) return 'skipped';
    if (!this.#registered) return (await this.register()) ? 're-registered' : 'failed';
    const query = `status=${encodeURIComponent(instance.status)}&lastDirtyTimestamp=${instance.lastDirtyTimestamp}`;
    const response = await this.#transport.send({
      method: 'PUT',
      path: `${this.#instancePath(instance)}?${query}`,
    });
    if (response?.status === 200) return 'ok';
    if (response?.status === 404) {
      this.#log.info(
        { app: instance.app, instanceId: instance.instanceId },
        'registry does not know this instance, re-registering',
      );
      this.#registered = false;
      return (await this.register()) ? 're-registered' : 'failed';
    }
    this.#log.warn({ app: instance.app, status: response?.status ?? null }, 'heartbeat failed');
    return 'failed';
  }

  #appPath(instance: EurekaInstanceInfo): string {
    return `apps/${encodeSegment(instance.app)}`;
  }

  #instancePath(instance: EurekaInstanceInfo): string {
    return `${this.#appPath(instance)}/${encodeSegment(instance.instanceId)}`;
  }
}
