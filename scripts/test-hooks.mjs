// `node --import ./scripts/test-hooks.mjs`: installs the unit tests' resolve hook (test-resolve.mjs).
import { register } from 'node:module';

register('./test-resolve.mjs', import.meta.url);
