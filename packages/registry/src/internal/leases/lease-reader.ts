import {
  appsHashCode,
  type Application,
  type Applications,
  type InstanceInfo,
} from '@stratus/discovery';
import type { RegistryState } from './registry-state.js';

function snapshot(applications: Application[], versionDelta: number): Applications {
  return Object.freeze({
    versionDelta,
    appsHashCode: appsHashCode(applications.flatMap((app) => app.instances)),
    applications: Object.freeze(applications),
  });
}

/**
 * The read side of the lease table: the full registry and the delta from the read model, VIPs
 * and single lookups from the leases. While lease expiration is enabled, expired leases not yet
 * evicted are hidden (spring-wire §1.10).
 */
export class LeaseReader {
  readonly #state: RegistryState;

  constructor(state: RegistryState) {
    this.#state = state;
  }

  /** The full registry (`versionDelta` 1), from the read model. */
  getApplications(): Applications {
    return this.#state.views.applications();
  }

  /** Changes within the retention window, with the hash of the full registry. */
  getDelta(): Applications {
    return this.#state.views.delta();
  }

  /** Instances whose comma-split `vipAddress` (or `secureVipAddress`) contains `vip` exactly. */
  getByVip(vip: string, secure = false): Applications {
    const matches = (instance: InstanceInfo): boolean => {
      const addresses = secure ? instance.secureVipAddress : instance.vipAddress;
      return addresses !== null && addresses.split(',').includes(vip);
    };
    return snapshot(this.#visibleApplications(matches), 1);
  }

  getApplication(app: string): Application | null {
    return this.#visibleApplications(() => true, app.toUpperCase())[0] ?? null;
  }

  getInstance(app: string, id: string): InstanceInfo | null {
    const lease = this.#state.table.get(app, id);
    if (lease === undefined || this.#isHidden(lease.isExpired(this.#state.clock.now())))
      return null;
    return lease.view;
  }

  /** First instance with this id in any application. */
  findInstance(id: string): InstanceInfo | null {
    for (const app of this.#state.table.appNames()) {
      const instance = this.getInstance(app, id);
      if (instance !== null) return instance;
    }
    return null;
  }

  #isHidden(isExpired: boolean): boolean {
    return isExpired && this.#state.preservation.isLeaseExpirationEnabled();
  }

  #visibleApplications(
    filter: (instance: InstanceInfo) => boolean,
    onlyApp?: string,
  ): Application[] {
    const now = this.#state.clock.now();
    const hideExpired = this.#state.preservation.isLeaseExpirationEnabled();
    const result: Application[] = [];
    for (const [name, leases] of this.#state.table.applications(onlyApp)) {
      const instances: InstanceInfo[] = [];
      for (const lease of leases) {
        if (hideExpired && lease.isExpired(now)) continue;
        if (filter(lease.view)) instances.push(lease.view);
      }
      if (instances.length > 0)
        result.push(Object.freeze({ name, instances: Object.freeze(instances) }));
    }
    return result;
  }
}
