// Lint is a check, not a habit: `npm test` runs it. Type-aware only where a rule needs types
// (exhaustive switches); the process boundaries are import rules, so crossing one fails the build.
import tseslint from 'typescript-eslint';

const engine = ['**/lab/**', '**/runner/**', '**/server/**', '**/cli/**', '**/host/**'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.cache/', 'test-artifacts/', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // node:test's test()/describe() return promises the runner tracks itself.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    // The panel is a browser bundle: it may read the protocol's types, never engine or Node code.
    files: ['webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: engine, message: 'The webview imports only extension/protocol (the report and message types).' },
            { group: ['node:*', 'vscode'], message: 'The webview runs in a browser.' },
          ],
        },
      ],
    },
  },
  {
    // The protocol is the bottom layer every side imports: it imports nothing of theirs.
    files: ['extension/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...engine, '**/webview/**'],
              message: 'The protocol imports nothing from the sides it connects.',
            },
          ],
        },
      ],
    },
  },
  {
    // The extension host never loads a model: engine code reaches it only as types (the runner runs it).
    files: ['extension/host/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lab/**', '**/runner/**', '**/cli/**', 'onnxruntime-node', '@huggingface/transformers'],
              allowTypeImports: true,
              message: 'The host imports no engine runtime code; models live in the runner.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is plain TypeScript: no vscode, no IPC front ends.
    files: ['extension/lab/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vscode', '**/host/**', '**/runner/**', '**/server/**', '**/cli/**', '**/webview/**'],
              message: 'The engine has no front-end code.',
            },
          ],
        },
      ],
    },
  },
);
