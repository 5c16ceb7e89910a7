import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '@stratus/core';
import {
  createCircuitBreakerFactory,
  createResilienceRegistry,
  type CircuitBreakerFactory,
  type ResiliencePropertySource,
  type ResilienceRegistry,
} from '@stratus/resilience';
import type { PropertySource } from '../property-source.js';
import { connectorWithTimeout } from './connector.js';

/** What a factory owns and closes: connection pools by connect timeout, and maybe a registry. */
export class FactoryResources {
  readonly #agents = new Map<number, Agent>();
  readonly #source: PropertySource;
  readonly #logger: Logger;
  readonly #resilience: ResilienceRegistry | undefined;
  #ownedResilience: ResilienceRegistry | undefined;
  #breakers: CircuitBreakerFactory | undefined;

  constructor(options: {
    source: PropertySource;
    logger: Logger;
    resilience: ResilienceRegistry | undefined;
    circuitBreakerFactory: CircuitBreakerFactory | undefined;
  }) {
    this.#source = options.source;
    this.#logger = options.logger;
    this.#resilience = options.resilience;
    this.#breakers = options.circuitBreakerFactory;
  }

  /** The pool for one connect timeout; clients with the same one share it. */
  dispatcherFor(connectTimeoutMs: number): Dispatcher {
    let agent = this.#agents.get(connectTimeoutMs);
    if (!agent) {
      agent = new Agent({
        connect: connectorWithTimeout(connectTimeoutMs),
        keepAliveTimeout: 10_000,
      });
      this.#agents.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  /** Spring Cloud CircuitBreaker, over the given registry or one built (once) from the properties. */
  circuitBreakers(): CircuitBreakerFactory {
    if (this.#breakers) return this.#breakers;
    const registry =
      this.#resilience ??
      (this.#ownedResilience = createResilienceRegistry({
        properties: this.#source as ResiliencePropertySource,
        logger: this.#logger,
      }));
    this.#breakers = createCircuitBreakerFactory(registry);
    return this.#breakers;
  }

  /**
   * Re-reads `resilience4j.*` into a registry this factory built (a shared one is the owner's).
   * @throws `RES_ERR_INVALID_CONFIG`; the old configuration stays.
   */
  reconfigure(): void {
    this.#ownedResilience?.reconfigure(this.#source as ResiliencePropertySource);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((agent) => agent.close()));
    await this.#ownedResilience?.close();
  }
}
