// One gateway for bench/tracing/run.mjs: a static route /svc/** to the bench's upstream, the
// tracing settings given as Spring flags on the command line. Sends its port to the parent.
import { createGateway } from '@stratus/gateway';

const upstream = process.env.BENCH_UPSTREAM;
const dataDir = process.env.BENCH_DATA_DIR;
const gateway = await createGateway({
  argv: [
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    '--spring.config.import=',
    `--stratus.data-dir=${dataDir}`,
    '--logging.level.root=WARN',
    '--spring.cloud.gateway.routes[0].id=svc',
    `--spring.cloud.gateway.routes[0].uri=${upstream}`,
    '--spring.cloud.gateway.routes[0].predicates[0]=Path=/svc/**',
    '--spring.cloud.gateway.routes[0].filters[0]=RewritePath=/svc/(?<segment>.*), /$\\{segment}',
    ...process.argv.slice(2),
  ],
  env: {},
});
await gateway.start();
process.send?.({ port: gateway.port });
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
