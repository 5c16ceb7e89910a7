export { unflattenProperties } from './flatten.js';
export { uniformKey } from './relaxed.js';
export {
  parseYamlDocuments,
  parseJavaProperties,
  profilesMatch,
  type YamlDocument,
  type ParseYamlOptions,
} from './yaml-source.js';
export {
  ConfigEnvironment,
  changedKeys,
  type PropertySource,
  type RawProperty,
} from './environment.js';
export { ConfigErrors } from './errors.js';
export {
  bindProperties,
  bindingProblems,
  getList,
  type PropertySpec,
  type BoundProperties,
  type BindOptions,
} from './binding.js';
export {
  loadConfiguration,
  type LoadConfigurationOptions,
  type LoadedConfiguration,
  type ConfigClientState,
} from './loader.js';
export {
  createTextEncryptor,
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
export {
  createRsaEncryptor,
  type RsaAlgorithm,
  type RsaEncryptorOptions,
  type RsaTextEncryptor,
} from './crypto/rsa-encryptor.js';
export {
  createKeyStoreEncryptor,
  createPkcs12KeyStore,
  type KeyStoreEncryptorOptions,
} from './crypto/keystore.js';
export { createEncryptorFromProperties } from './crypto/encryptor-from-properties.js';
export { resolveResourceLocation, type ResourceRoots } from './resource-location.js';
