import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { Command } from 'commander';
import { runApplication } from '@stratus/boot';
import { createRegistryServer } from '@stratus/registry';
import { createConfigServer } from '@stratus/config-server';
import { createGateway } from '@stratus/gateway';
import { createTextEncryptor } from '@stratus/config';
import { startStack, type Stack } from './stack.js';

/**
 * The `stratus` command. Server commands accept Spring-style
 * `--<property>=<value>` flags, passed through unchanged.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('stratus')
    .description(
      'Spring Cloud for TypeScript: registry, config server, gateway and the sample shop',
    )
    .showHelpAfterError()
    .enablePositionalOptions();

  const server = (name: string, description: string, run: (args: string[]) => Promise<unknown>) =>
    program
      .command(name)
      .description(`${description}; accepts Spring flags such as --server.port=…`)
      .allowUnknownOption()
      .helpOption(false)
      .argument('[flags...]')
      .action(async (flags: string[]) => {
        await run(flags);
      });

  server('registry', 'run the Eureka-compatible registry (port 8761)', (args) =>
    runApplication(() => createRegistryServer({ argv: args })),
  );
  server('config-server', 'run the Config Server (port 8888)', (args) =>
    runApplication(() => createConfigServer({ argv: args })),
  );
  server('gateway', 'run the API gateway (port 8000)', (args) =>
    runApplication(() => createGateway({ argv: args })),
  );

  program
    .command('up')
    .description(
      'run the whole system: registry, config server, gateway and the shop (= npm start)',
    )
    .option('--data-dir <dir>', 'where SQLite files and the event log live', './data')
    .option('--registry-port <port>', 'registry port', '8761')
    .option('--config-port <port>', 'config server port', '8888')
    .option('--gateway-port <port>', 'gateway port', '8000')
    .allowUnknownOption()
    .argument('[flags...]', 'Spring flags given to every process')
    .action(
      async (
        flags: string[],
        opts: { dataDir: string; registryPort: string; configPort: string; gatewayPort: string },
      ) => {
        await up(flags, opts);
      },
    );

  program
    .command('encrypt')
    .description("encrypt a value as Spring's /encrypt does (symmetric key)")
    .argument('<text>')
    .option('--key <key>', 'encrypt.key (or ENCRYPT_KEY)')
    .option('--salt <hex>', 'encrypt.salt', 'deadbeef')
    .action((text: string, opts: { key?: string; salt: string }) => {
      process.stdout.write(
        `{cipher}${createTextEncryptor({ key: requireKey(opts.key), salt: opts.salt }).encrypt(text)}\n`,
      );
    });
  program
    .command('decrypt')
    .description('decrypt a {cipher} value (symmetric key)')
    .argument('<cipher>')
    .option('--key <key>', 'encrypt.key (or ENCRYPT_KEY)')
    .option('--salt <hex>', 'encrypt.salt', 'deadbeef')
    .action((cipher: string, opts: { key?: string; salt: string }) => {
      const body = cipher.replace(/^\{cipher\}/, '').replace(/^(\{[^}]*\})+/, '');
      process.stdout.write(
        `${createTextEncryptor({ key: requireKey(opts.key), salt: opts.salt }).decrypt(body)}\n`,
      );
    });
  program
    .command('keygen')
    .description('generate an encrypt.key (symmetric) or an RSA key pair (--rsa)')
    .option('--rsa', 'print a 2048-bit RSA private key in PEM (for encrypt.key)')
    .action((opts: { rsa?: boolean }) => {
      if (opts.rsa) {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        process.stdout.write(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
      } else process.stdout.write(`${randomBytes(32).toString('base64url')}\n`);
    });
  program
    .command('status')
    .description('list the instances registered with the registry and their health')
    .option('--registry <url>', 'registry URL', 'http://127.0.0.1:8761')
    .action(async (opts: { registry: string }) => {
      await status(opts.registry);
    });

  await program.parseAsync(argv, { from: 'user' });
}

function requireKey(flag: string | undefined): string {
  const key = flag ?? process.env.ENCRYPT_KEY;
  if (!key) throw new Error('an encryption key is required: --key=… or ENCRYPT_KEY');
  return key;
}

async function up(
  flags: string[],
  opts: { dataDir: string; registryPort: string; configPort: string; gatewayPort: string },
): Promise<void> {
  const started = Date.now();
  const passThrough = flags.filter((f) => f.startsWith('--'));
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir: opts.dataDir,
      registryPort: Number(opts.registryPort),
      configPort: Number(opts.configPort),
      gatewayPort: Number(opts.gatewayPort),
      flags: passThrough,
    });
  } catch (error) {
    process.stderr.write(
      `stratus up failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
    return;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    '',
    `Stratus is up in ${seconds}s — all processes healthy.`,
    `  gateway          ${stack.urls.gateway}   (try: curl ${stack.urls.gateway}/catalog-service/catalogs)`,
    `  registry         ${stack.urls.registry}   (dashboard at /, Eureka API at /eureka/apps)`,
    `  config server    ${stack.urls.configServer}   (e.g. /user-service/default)`,
    ...[...stack.processes.values()]
      .filter(
        (p) =>
          p.name.endsWith('-service') &&
          !['discovery-service', 'config-service', 'apigateway-service'].includes(p.name),
      )
      .map((p) => `  ${p.name.padEnd(16)} http://127.0.0.1:${p.port}`),
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping…\n');
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function status(registry: string): Promise<void> {
  const response = await fetch(`${registry.replace(/\/$/, '')}/eureka/apps`, {
    headers: { accept: 'application/json' },
  });
  if (response.status !== 200) throw new Error(`registry answered ${response.status}`);
  const body = (await response.json()) as {
    applications: {
      application: Array<{
        name: string;
        instance: Array<{
          instanceId?: string;
          hostName: string;
          status: string;
          port: { $: number };
          healthCheckUrl?: string;
        }>;
      }>;
    };
  };
  for (const app of body.applications.application) {
    for (const instance of app.instance) {
      let health = '-';
      if (instance.healthCheckUrl) {
        try {
          const h = await fetch(instance.healthCheckUrl, { signal: AbortSignal.timeout(2000) });
          health = ((await h.json()) as { status?: string }).status ?? String(h.status);
        } catch {
          health = 'UNREACHABLE';
        }
      }
      process.stdout.write(
        `${app.name.padEnd(20)} ${(instance.instanceId ?? instance.hostName).padEnd(40)} ${instance.status.padEnd(8)} health=${health}\n`,
      );
    }
  }
}
