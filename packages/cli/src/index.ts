export { main } from './main.js';
export {
  startStack,
  type Stack,
  type StackOptions,
  type StackProcess,
  type ProcessState,
  type ProcessStatus,
} from './stack.js';
export {
  parseManifest,
  loadManifest,
  defaultManifest,
  manifestTemplate,
  REPO_ROOT,
  MANIFEST_FILE,
  type StackManifest,
  type ProcessSpec,
  type ProcessRun,
  type RestartPolicy,
  type BuiltInServer,
} from './manifest.js';
export { CliErrors, type PortConflict } from './errors.js';
export { formatLogLine } from './log-format.js';
