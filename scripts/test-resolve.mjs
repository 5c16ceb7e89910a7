// Module resolve hook for unit tests. A package's tests compile to `dist-test/` (tsconfig.test.json)
// so that `dist/` holds only what runs in production; a test's relative import of the module it
// tests (`../index.js`) then names a file that lives in `dist/`. Resolution falls back from
// `dist-test/` to the same path in `dist/`, so the test and the rest of the fleet share one copy
// of every module.
const TEST_OUT = '/dist-test/';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? '';
    if (
      error?.code !== 'ERR_MODULE_NOT_FOUND' ||
      !parent.includes(TEST_OUT) ||
      !specifier.startsWith('.')
    ) {
      throw error;
    }
    const inTests = new URL(specifier, parent).href;
    return nextResolve(inTests.replace(TEST_OUT, '/dist/'), context);
  }
}
