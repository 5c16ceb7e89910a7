export {
  flattenProperties,
  unflattenProperties,
  splitPropertyPath,
  type FlatProperties,
} from './flatten.js';
export {
  parseYamlDocuments,
  parseJavaProperties,
  profilesMatch,
  type YamlDocument,
} from './yaml-source.js';
export { uniformKey, environmentVariableToKey } from './relaxed.js';
export { resolvePlaceholders, type PropertyLookup } from './placeholders.js';
export { ConfigEnvironment, changedKeys, type PropertySource } from './environment.js';
export { parseCommandLineArgs, environmentVariablesSource } from './sources.js';
export { bindProperties, getList, type PropertySpec, type BoundProperties } from './binding.js';
export {
  fetchConfigServerSources,
  type ConfigServerClientOptions,
  type ConfigServerFetchResult,
  type EnvironmentResponse,
  type MultipleUriStrategy,
} from './config-client.js';
export {
  loadConfiguration,
  type LoadConfigurationOptions,
  type LoadedConfiguration,
  type ConfigClientState,
} from './loader.js';
export {
  createTextEncryptor,
  DEFAULT_SALT,
  type TextEncryptor,
  type TextEncryptorOptions,
} from './crypto/text-encryptor.js';
export {
  decryptProperties,
  parseCipherValue,
  CIPHER_PREFIX,
  INVALID_VALUE,
  type CipherValue,
  type DecryptPropertiesOptions,
} from './crypto/decrypt-properties.js';
export { CryptoErrorCodes, DECRYPT_ERROR_TITLE } from './crypto/errors.js';
export {
  createRsaEncryptor,
  encodeSshPublicKey,
  type RsaAlgorithm,
  type RsaEncryptorOptions,
  type RsaTextEncryptor,
} from './crypto/rsa-encryptor.js';
export {
  createKeyStoreEncryptor,
  createPkcs12KeyStore,
  readPkcs12PrivateKey,
  type KeyStoreEncryptorOptions,
} from './crypto/keystore.js';
export {
  createEncryptorFromProperties,
  resolveLocation,
} from './crypto/encryptor-from-properties.js';
