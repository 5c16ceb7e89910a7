// Helpers for tests of Stratus packages and applications (never imported by production code):
// in-memory logs, temporary folders and file trees, the flags that run a service alone,
// polling without fixed sleeps, and HTTP requests sent byte for byte.
export { captureLogger } from './capture-logger.js';
export { tempDataDir, tempDir, tempTree } from './temp-files.js';
export { standaloneArgs } from './standalone-args.js';
export { eventually } from './eventually.js';
export { rawRequest, type RawResponse } from './raw-request.js';
