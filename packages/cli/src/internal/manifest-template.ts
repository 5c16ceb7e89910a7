import { relative, sep } from 'node:path';

/**
 * The default stack as a `stratus.yml`. It is both what `stratus up` runs without a file
 * and what `stratus init` writes, so the two cannot drift apart. `@ROOT@` is the Stratus
 * checkout relative to the manifest's folder.
 */
const TEMPLATE = `# stratus.yml: the processes \`npx stratus up\` runs, like a docker-compose file for local
# processes. Without this file, \`stratus up\` runs exactly the stack below.
# Keys per process: server | entry | command, args, port, depends-on, environment, instances,
# health, gateway-check, restart (always | on-failure | no), max-restarts,
# restart-window-seconds, working-dir. See docs/launcher.md.
processes:
  discovery-service: # Eureka server (@EnableEurekaServer)
    server: registry
    port: 8761
  config-service: # Config Server (@EnableConfigServer), native backend
    server: config-server
    port: 8888
    args:
      # include, not active: SPRING_PROFILES_ACTIVE=kafka (or rabbitmq) adds its profile, so
      # /monitor's bus refreshes go out on the same broker as the services'.
      - --spring.profiles.include=native
      - --spring.cloud.config.server.native.search-locations=file:./@ROOT@config-repo
  user-service:
    entry: @ROOT@services/user/dist/main.js
    depends-on: [discovery-service, config-service]
    gateway-check: /user-service/health_check
  catalog-service:
    entry: @ROOT@services/catalog/dist/main.js
    depends-on: [discovery-service, config-service]
    gateway-check: /catalog-service/catalogs
  order-service:
    entry: @ROOT@services/order/dist/main.js
    depends-on: [discovery-service, config-service]
    gateway-check: /order-service/actuator/health
  apigateway-service: # Spring Cloud Gateway; routes come from config-repo/apigateway-service.yml
    server: gateway
    port: 8000
    depends-on: [discovery-service, config-service]

  # Your own TypeScript service (compiled; on @stratus/boot it registers and reads config):
  # hello-service:
  #   entry: hello-service/dist/main.js
  #   depends-on: [discovery-service, config-service]
  #   instances: 2
  #   environment:
  #     GREETING: Hello
  #
  # A Spring Boot jar: it gets SERVER_PORT, EUREKA_CLIENT_SERVICEURL_DEFAULTZONE and
  # SPRING_CONFIG_IMPORT, so it registers and reads the config server as it would in Docker.
  # legacy-service:
  #   command: java -jar legacy-service/target/legacy-service-1.0.0.jar
  #   port: 9001
  #   health: /actuator/health
  #   depends-on: [discovery-service, config-service]
  #   restart: always
`;

/** The template with paths from `targetDir` to the checkout at `repoRoot`. */
export function renderManifestTemplate(repoRoot: string, targetDir: string): string {
  const path = relative(targetDir, repoRoot).split(sep).join('/');
  return TEMPLATE.replaceAll('@ROOT@', path === '' ? '' : `${path}/`);
}
