import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tests/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // CommonJS config and reporter files that jest loads with require().
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: { globals: globals.node },
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
            {
              group: [
                'axios',
                '@azure/storage-*',
                'node:*',
                'fs',
                'http',
                'https',
                'net',
                'dns',
                'tls',
                'child_process',
              ],
              message: 'Orchestrators must not do I/O; call an activity.',
            },
            {
              group: ['../activities/*', '../functions/*'],
              message: 'Orchestrators reach activities by name only.',
            },
            { group: ['../settings'], message: 'Orchestrators get configuration through their input.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use context.df.createTimer.' },
        { name: 'setInterval', message: 'Use context.df.createTimer.' },
        { name: 'process', message: 'Orchestrators must not read the environment.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use context.df.currentUtcDateTime.',
        },
        { selector: "CallExpression[callee.name='Date']", message: 'Use context.df.currentUtcDateTime.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
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
        {
          patterns: [
            {
              // node:crypto stays allowed: hashes and HMACs are pure computation (webhook signatures,
              // the configuration digest), deterministic and free of I/O.
              group: ['@azure/*', 'durable-functions', 'axios', 'node:*', '!node:crypto'],
              message: 'src/core has no Azure or I/O imports.',
            },
            {
              group: ['../settings', '../activities/*', '../functions/*', '../orchestrators/*'],
              message: 'src/core depends on nothing else in src.',
            },
          ],
        },
      ],
    },
  },
);
