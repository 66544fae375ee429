import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tests/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Orchestrators replay: no I/O, no clocks, no randomness, no environment.
    files: ['src/orchestrators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['axios', '@azure/storage-*', 'node:*', 'fs', 'http', 'https', 'net', 'dns', 'tls', 'child_process'], message: 'Orchestrators must not do I/O; call an activity.' },
            { group: ['../activities/*', '../functions/*'], message: 'Orchestrators reach activities by name only.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Use context.df.currentUtcDateTime.' },
        { name: 'setTimeout', message: 'Use context.df.createTimer.' },
        { name: 'setInterval', message: 'Use context.df.createTimer.' },
        { name: 'process', message: 'Orchestrators must not read the environment.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid().' },
      ],
    },
  },
  {
    // The core is pure domain logic.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@azure/*', 'durable-functions', 'axios'], message: 'src/core has no Azure or I/O imports.' }] },
      ],
    },
  },
);
