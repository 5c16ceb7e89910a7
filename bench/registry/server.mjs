#!/usr/bin/env node
// Child process of bench/registry/run.mjs: runs one build of `createRegistryServer` so its CPU and
// memory can be read from /proc/<pid>. Usage: node server.mjs <path to registry dist/index.js> <port> [--flag=value…]
import { pathToFileURL } from 'node:url';

const [entry, port, ...flags] = process.argv.slice(2);
const { createRegistryServer } = await import(pathToFileURL(entry).href);
const app = await createRegistryServer({
  argv: [
    `--server.port=${port}`,
    '--server.address=127.0.0.1',
    '--spring.config.import=',
    '--logging.level.root=warn',
    ...flags,
  ],
  env: {},
});
await app.start();
process.send?.({ ready: true, port: app.port });
const stop = () => void app.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
