#!/usr/bin/env node
// Child process of bench/vs-spring/run.mjs: one Stratus server (its CPU and memory are its own).
// Usage: node stratus.mjs <registry|config-server> <port> [--spring.flag=value…]
const [kind, port, ...flags] = process.argv.slice(2);
// Only the server measured is loaded: the other's modules would count in its memory.
const create =
  kind === 'registry'
    ? (await import('@stratus/registry')).createRegistryServer
    : (await import('@stratus/config-server')).createConfigServer;
const app = await create({
  argv: [
    `--server.port=${port}`,
    '--server.address=127.0.0.1',
    '--spring.config.import=',
    '--logging.level.root=warn',
    ...(kind === 'registry' ? [] : ['--eureka.client.enabled=false']),
    ...flags,
  ],
  env: {},
});
await app.start();
process.send?.({ ready: true });
const stop = () => void app.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
