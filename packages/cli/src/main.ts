import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { runApplication } from '@stratus/boot';
import { createRegistryServer, REGISTRY_COMMAND_DEFAULTS } from '@stratus/registry';
import { createConfigServer } from '@stratus/config-server';
import { runGateway } from '@stratus/gateway';
import {
  createEncryptorFromProperties,
  createPkcs12KeyStore,
  parseCipherValue,
  type TextEncryptor,
} from '@stratus/config';
import { MANIFEST_FILE } from './manifest.js';
import { init } from './commands/init.js';
import { status } from './commands/status.js';
import { collect, up, type UpOptions } from './commands/up.js';

/** `--workers N` / `--workers=N` as the property it stands for, `--stratus.gateway.workers=N`. */
function gatewayFlags(args: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--workers' && i + 1 < args.length)
      flags.push(`--stratus.gateway.workers=${args[++i]}`);
    else if (arg.startsWith('--workers=')) flags.push(`--stratus.gateway.workers=${arg.slice(10)}`);
    else flags.push(arg);
  }
  return flags;
}

/**
 * The `stratus` command. Server commands accept Spring-style
 * `--<property>=<value>` flags, passed through unchanged.
 */
export async function main(argv: string[]): Promise<void> {
  // `stratus status | head`: a reader that went away is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const program = new Command('stratus')
    .description(
      'Spring Cloud for TypeScript: registry, config server, gateway and the sample shop',
    )
    .showHelpAfterError()
    .enablePositionalOptions();

  registerServerCommands(program);
  registerStackCommands(program);
  registerKeyCommands(program);
  await program.parseAsync(argv, { from: 'user' });
}

/** `registry`, `config-server` and `gateway`: the platform's servers, taking Spring flags. */
function registerServerCommands(program: Command): void {
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
    runApplication(() =>
      createRegistryServer({ argv: args, defaults: { ...REGISTRY_COMMAND_DEFAULTS } }),
    ),
  );
  server('config-server', 'run the Config Server (port 8888)', (args) =>
    runApplication(() => createConfigServer({ argv: args })),
  );
  server(
    'gateway',
    'run the API gateway (port 8000); --workers=N processes share the port (default: one per core, 1 under `stratus up`)',
    (args) => runGateway({ argv: gatewayFlags(args) }),
  );
}

/** `up`, `init` and `status`: the stack of stratus.yml. */
function registerStackCommands(program: Command): void {
  program
    .command('up')
    .description(
      'run the stack of ./stratus.yml, or the platform and the sample shop when there is none (= npm start)',
    )
    .option('-f, --file <path>', `stack manifest (default: ./${MANIFEST_FILE} when present)`)
    .option('--only <names>', 'run only these processes (comma-separated) and what they depend on')
    .option(
      '--instances <name=count>',
      'instances of a process, e.g. order-service=2 (repeatable)',
      collect,
      [],
    )
    .option(
      '--data-dir <dir>',
      'where SQLite files, the event log and the launcher state live',
      './data',
    )
    .option('--registry-port <port>', "registry port (default: the manifest's, 8761)")
    .option('--config-port <port>', "config server port (default: the manifest's, 8888)")
    .option('--gateway-port <port>', "gateway port (default: the manifest's, 8000)")
    .allowUnknownOption()
    .argument('[flags...]', 'Spring flags given to every Stratus process')
    .action(async (flags: string[], opts: UpOptions) => {
      await up(flags, opts);
    });
  program
    .command('init')
    .description(`write a ${MANIFEST_FILE} with the default stack, to add your own services to`)
    .option('-f, --file <path>', 'where to write it', MANIFEST_FILE)
    .option('--force', 'overwrite an existing file')
    .action((opts: { file?: string; force?: boolean }) => {
      init(opts);
    });

  program
    .command('status')
    .description(
      "show the launcher's processes (restarts, last exits) and the registry's instances",
    )
    .option('--data-dir <dir>', 'data folder of the stratus up to report on', './data')
    .option(
      '--registry <url>',
      "registry URL (default: the running stack's, or http://127.0.0.1:8761)",
    )
    .action(async (opts: { dataDir: string; registry?: string }) => {
      await status(opts);
    });
}

/** `encrypt`, `decrypt` and `keygen`: what Spring's /encrypt and keytool do for config values. */
function registerKeyCommands(program: Command): void {
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
