// A mixed fleet on Eureka, both ways (docs/mixed-fleet.md): a Spring Boot service
// (test/interop/spring/service: Eureka client, OpenFeign) in a Stratus fleet, and a Stratus
// service in a Spring fleet (Spring's Eureka server and Spring Cloud Gateway), with the Stratus
// registry and Spring's Eureka server replicating to each other as peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, eventually } from './support.js';
import {
  FAST_EUREKA_CLIENT,
  eurekaApps,
  freePorts,
  healthy,
  registered,
  skipUnlessCi,
  springJars,
  startJava,
  startStratusServer,
  startStratusService,
} from './interop-support.js';

const { jars, reason } = await springJars('service', 'eureka-server', 'gateway');
const skip = skipUnlessCi(reason);

const FAST_STRATUS_CLIENT = [
  '--eureka.client.registry-fetch-interval-seconds=1',
  '--eureka.instance.lease-renewal-interval-in-seconds=2',
  '--spring.config.import=',
  '--stratus.tracing.embedded.enabled=false',
];

const rewrite = (name: string) => `RewritePath=/${name}/(?<segment>.*), /$\\{segment}`;

test(
  'a Spring Boot service registers with the Stratus registry, shows on its dashboard, is routed by the Stratus gateway and called with lb:// both ways',
  { skip, timeout: 240_000 },
  async (t) => {
    const {
      registry: registryPort,
      gateway: gatewayPort,
      spring: springPort,
      stratus: stratusPort,
    } = await freePorts('registry', 'gateway', 'spring', 'stratus');
    const zone = `--eureka.client.service-url.defaultZone=http://127.0.0.1:${registryPort}/eureka/`;
    const registry = startStratusServer(t, 'registry', registryPort, [
      '--eureka.server.wait-time-in-ms-when-sync-empty=0',
    ]);
    await healthy(registry);
    const spring = startJava(t, 'spring-service', jars.service, springPort, [
      zone,
      '--spring.config.import=',
      '--management.tracing.export.enabled=false',
      ...FAST_EUREKA_CLIENT,
    ]);
    const stratus = startStratusService(t, 'stratus-service', stratusPort, [
      zone,
      ...FAST_STRATUS_CLIENT,
    ]);
    const gateway = startStratusServer(t, 'gateway', gatewayPort, [
      zone,
      ...FAST_STRATUS_CLIENT,
      '--spring.cloud.gateway.routes[0].id=spring-service',
      '--spring.cloud.gateway.routes[0].uri=lb://SPRING-SERVICE',
      '--spring.cloud.gateway.routes[0].predicates[0]=Path=/spring-service/**',
      `--spring.cloud.gateway.routes[0].filters[0]=${rewrite('spring-service')}`,
    ]);
    await Promise.all([healthy(spring), healthy(stratus), healthy(gateway)]);
    await Promise.all([
      registered(registry.url, 'SPRING-SERVICE'),
      registered(registry.url, 'STRATUS-SERVICE'),
    ]);

    const [springInstance] = (await eurekaApps(registry.url)).get('SPRING-SERVICE')!;
    assert.equal(springInstance!.vipAddress, 'spring-service');
    assert.match(springInstance!.instanceId, new RegExp(`:spring-service:${springPort}$`));

    const dashboard = await call<string>(`${registry.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.body, /SPRING-SERVICE/);
    assert.match(dashboard.body, /STRATUS-SERVICE/);

    const routed = await eventually('the Stratus gateway routes lb://SPRING-SERVICE', async () => {
      const response = await call<{ service: string; port: string }>(
        `http://127.0.0.1:${gatewayPort}/spring-service/hello`,
      );
      return response.status === 200 ? response : undefined;
    });
    assert.deepEqual(routed.body, { service: 'spring-service', port: String(springPort) });

    const declarative = await eventually('stratus-service calls lb://spring-service', async () => {
      const response = await call<Record<string, unknown>>(`${stratus.url}/spring/hello`);
      return response.status === 200 ? response : undefined;
    });
    assert.deepEqual(declarative.body, {
      via: 'stratus-service',
      spring: { service: 'spring-service', port: String(springPort) },
    });

    await t.test(
      'a declarative client made before start() from app.loadBalancer (as docs/http-client.md shows) resolves lb://',
      async () => {
        const response = await call(`${stratus.url}/spring/hello-documented`);
        assert.equal(response.status, 200, JSON.stringify(response.body));
      },
    );

    const feign = await eventually(
      'spring-service calls stratus-service with OpenFeign',
      async () => {
        const response = await call<Record<string, unknown>>(`${spring.url}/stratus/hello`);
        return response.status === 200 ? response : undefined;
      },
    );
    assert.deepEqual(feign.body, {
      via: 'spring-service',
      stratus: { service: 'stratus-service', port: stratusPort },
    });

    // Spring's client cancels its lease on shutdown; the registry forgets it at once.
    await spring.stop();
    await eventually('SPRING-SERVICE deregistered', async () =>
      (await eurekaApps(registry.url)).has('SPRING-SERVICE') ? undefined : true,
    );
  },
);

test(
  "a Stratus service registers with Spring's Eureka server and is routed by Spring Cloud Gateway; the Stratus registry and Spring's Eureka server replicate to each other",
  { skip, timeout: 240_000 },
  async (t) => {
    const {
      eureka: eurekaPort,
      registry: registryPort,
      scg: scgPort,
      stratus: stratusPort,
    } = await freePorts('eureka', 'registry', 'scg', 'stratus');
    const eurekaUrl = `http://127.0.0.1:${eurekaPort}/eureka/`;
    const registryUrl = `http://127.0.0.1:${registryPort}/eureka/`;
    const eureka = startJava(t, 'spring eureka', jars['eureka-server'], eurekaPort, [
      `--eureka.client.service-url.defaultZone=${registryUrl}`,
      `--eureka.server.my-url=${eurekaUrl}`,
      '--eureka.client.fetch-registry=true',
      '--eureka.client.registry-fetch-interval-seconds=1',
      '--eureka.server.use-read-only-response-cache=false',
      '--eureka.server.wait-time-in-ms-when-sync-empty=0',
    ]);
    const registry = startStratusServer(t, 'registry', registryPort, [
      `--eureka.client.service-url.defaultZone=${eurekaUrl}`,
      `--stratus.registry.self-url=${registryUrl}`,
      '--eureka.server.wait-time-in-ms-when-sync-empty=0',
      '--stratus.registry.replication.batch-delay-ms=100',
    ]);
    await Promise.all([healthy(eureka), healthy(registry)]);
    const stratus = startStratusService(t, 'stratus-service', stratusPort, [
      `--eureka.client.service-url.defaultZone=${eurekaUrl}`,
      ...FAST_STRATUS_CLIENT,
    ]);
    const scg = startJava(t, 'spring cloud gateway', jars.gateway, scgPort, [
      `--eureka.client.service-url.defaultZone=${eurekaUrl}`,
      '--spring.config.import=',
      ...FAST_EUREKA_CLIENT,
      '--spring.cloud.gateway.server.webflux.routes[0].id=stratus-service',
      '--spring.cloud.gateway.server.webflux.routes[0].uri=lb://STRATUS-SERVICE',
      '--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/stratus-service/**',
      `--spring.cloud.gateway.server.webflux.routes[0].filters[0]=${rewrite('stratus-service')}`,
    ]);
    await Promise.all([healthy(stratus), healthy(scg)]);
    await registered(eureka.url, 'STRATUS-SERVICE');
    const [instance] = (await eurekaApps(eureka.url)).get('STRATUS-SERVICE')!;
    assert.equal(instance!.vipAddress, 'stratus-service', 'Spring resolves lb:// by vipAddress');

    const routed = await eventually(
      'Spring Cloud Gateway routes lb://STRATUS-SERVICE',
      async () => {
        const response = await call<Record<string, unknown>>(
          `http://127.0.0.1:${scgPort}/stratus-service/hello`,
        );
        return response.status === 200 ? response : undefined;
      },
      60_000,
    );
    assert.deepEqual(routed.body, { service: 'stratus-service', port: stratusPort });

    // Spring → Stratus: what registered with Spring's Eureka server is replicated to its peer.
    await registered(registry.url, 'STRATUS-SERVICE');

    // Stratus → Spring: an instance registered with the Stratus registry, and its cancel.
    const peerInstance = {
      instance: {
        instanceId: '127.0.0.1:peer-check:9999',
        app: 'PEER-CHECK',
        hostName: '127.0.0.1',
        ipAddr: '127.0.0.1',
        status: 'UP',
        vipAddress: 'peer-check',
        port: { $: 9999, '@enabled': 'true' },
        dataCenterInfo: {
          '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
          name: 'MyOwn',
        },
      },
    };
    const registration = await call(`${registry.url}/eureka/apps/PEER-CHECK`, {
      json: peerInstance,
    });
    assert.equal(registration.status, 204);
    await registered(eureka.url, 'PEER-CHECK');
    const cancel = await call(`${registry.url}/eureka/apps/PEER-CHECK/127.0.0.1:peer-check:9999`, {
      method: 'DELETE',
    });
    assert.equal(cancel.status, 200);
    await eventually('the cancel replicated to Spring', async () =>
      (await eurekaApps(eureka.url)).has('PEER-CHECK') ? undefined : true,
    );
    assert.equal(
      eureka.grep(/Exception|ERROR/).filter((l) => /replicat|peer/i.test(l)).length,
      0,
      `Spring logged replication errors:\n${eureka.grep(/Exception|ERROR/).join('\n')}`,
    );
  },
);
