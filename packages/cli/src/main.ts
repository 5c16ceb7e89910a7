import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { runApplication } from '@stratus/boot';
import { createRegistryServer } from '@stratus/registry';
import { createConfigServer } from '@stratus/config-server';
import { createGateway } from '@stratus/gateway';
import {
  createEncryptorFromProperties,
  createPkcs12KeyStore,
  parseCipherValue,
  type TextEncryptor,
} from '@stratus/config';
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

  const keyOptions = (command: Command) =>
    command
      .option('--key <key>', 'encrypt.key (or ENCRYPT_KEY); @file.pem reads an RSA private key')
      .option('--salt <salt>', 'encrypt.salt, or encrypt.rsa.salt for RSA', 'deadbeef')
      .option('--keystore <file>', 'PKCS#12 key store (encrypt.key-store.location)')
      .option('--alias <alias>', 'key store alias (encrypt.key-store.alias)')
      .option('--password <password>', 'key store password (encrypt.key-store.password)')
      .option('--secret <secret>', 'key password (encrypt.key-store.secret)')
      .option('--algorithm <algorithm>', 'RSA padding: DEFAULT or OAEP', 'DEFAULT')
      .option('--strong', 'RSA with AES-GCM (encrypt.rsa.strong)');
  keyOptions(
    program
      .command('encrypt')
      .description("encrypt a value as Spring's /encrypt does (symmetric or RSA key)")
      .argument('<text>'),
  ).action((text: string, opts: KeyOptions) => {
    const { prefixes, cipherText } = parseCipherValue(text);
    const echoed = prefixes
      .filter(([name]) => name !== 'name' && name !== 'profiles')
      .map(([name, value]) => `{${name}:${value}}`)
      .join('');
    const encryptor = cliEncryptor(opts);
    const target = prefixes.length > 0 && encryptor.locate ? encryptor.locate(prefixes) : encryptor;
    process.stdout.write(`{cipher}${echoed}${target.encrypt(cipherText)}\n`);
  });
  keyOptions(
    program
      .command('decrypt')
      .description('decrypt a {cipher} value (symmetric or RSA key)')
      .argument('<cipher>'),
  ).action((cipher: string, opts: KeyOptions) => {
    const { prefixes, cipherText } = parseCipherValue(cipher.trim());
    const encryptor = cliEncryptor(opts);
    const target = prefixes.length > 0 && encryptor.locate ? encryptor.locate(prefixes) : encryptor;
    process.stdout.write(`${target.decrypt(cipherText)}\n`);
  });
  program
    .command('keygen')
    .description(
      'generate an encrypt.key (symmetric), an RSA key pair (--rsa) or a PKCS#12 key store (--keystore)',
    )
    .option('--rsa', 'print a 2048-bit RSA private key in PEM (for encrypt.key)')
    .option('--keystore <file>', 'write a PKCS#12 key store with a new 2048-bit RSA key')
    .option('--alias <alias>', 'alias of the key in the key store')
    .option('--password <password>', 'password of the key store and its key')
    .action((opts: { rsa?: boolean; keystore?: string; alias?: string; password?: string }) => {
      if (opts.keystore !== undefined) {
        if (!opts.alias || !opts.password)
          throw new Error('keygen --keystore needs --alias=… and --password=…');
        writeFileSync(
          opts.keystore,
          createPkcs12KeyStore({ alias: opts.alias, password: opts.password }),
          { flag: 'wx', mode: 0o600 },
        );
        process.stdout.write(
          `wrote ${opts.keystore}: encrypt.key-store.location=file:${opts.keystore} encrypt.key-store.alias=${opts.alias} encrypt.key-store.type=pkcs12\n`,
        );
      } else if (opts.rsa) {
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

interface KeyOptions {
  key?: string;
  salt: string;
  keystore?: string;
  alias?: string;
  password?: string;
  secret?: string;
  algorithm: string;
  strong?: boolean;
}

/** The encryptor of `stratus encrypt/decrypt`, from the same properties the config server reads. */
function cliEncryptor(opts: KeyOptions): TextEncryptor {
  let key = opts.key ?? process.env.ENCRYPT_KEY;
  if (key?.startsWith('@')) key = readFileSync(key.slice(1), 'utf8');
  const props: Record<string, string | undefined> = {
    'encrypt.key': key,
    'encrypt.salt': opts.salt,
    'encrypt.rsa.salt': opts.salt,
    'encrypt.rsa.algorithm': opts.algorithm,
    'encrypt.rsa.strong': opts.strong ? 'true' : 'false',
    'encrypt.key-store.location': opts.keystore,
    'encrypt.key-store.alias': opts.alias,
    'encrypt.key-store.password': opts.password,
    'encrypt.key-store.secret': opts.secret,
  };
  const encryptor = createEncryptorFromProperties((name) => props[name], process.cwd());
  if (encryptor === null)
    throw new Error(
      'an encryption key is required: --key=…, --key=@key.pem, ENCRYPT_KEY or --keystore=… --alias=… --password=…',
    );
  return encryptor;
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
