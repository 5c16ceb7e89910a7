import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-test/**',
      '**/node_modules/**',
      'data/**',
      'bench/results/**',
      '.infra/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name every export; no export *.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@stratus/*/src/*', '@stratus/*/dist/*'],
              message: 'Import a package by its entry point.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/cli/src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Production code never reaches into tests: a test file imported from src/ would be pulled
    // into dist/ by the compiler, past tsconfig.json's exclude.
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@stratus/*/src/*', '@stratus/*/dist/*'],
              message: 'Import a package by its entry point.',
            },
            {
              group: ['**/*.test.js', '**/*.test'],
              message: 'Production code does not import tests; move shared helpers to testing/.',
            },
          ],
        },
      ],
    },
  },
  {
    // A package's entry exports only what users need; `internal/` is never part of it.
    files: ['packages/*/src/index.ts', 'services/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name every export; no export *.' },
        {
          selector: 'ExportNamedDeclaration[source.value=/(^|\\W)internal\\W/]',
          message:
            'Do not export from internal/: move what users need to a public module of the package.',
        },
      ],
    },
  },
);
