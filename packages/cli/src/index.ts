export { main } from './main.js';
export {
  startStack,
  REPO_ROOT,
  type Stack,
  type StackOptions,
  type StackProcess,
} from './stack.js';
export { formatLogLine } from './log-format.js';
