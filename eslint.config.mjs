import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const core = ['src/pop3/**', 'src/mail/**', 'src/store/**', 'src/sync/**', 'src/cli/**', 'src/shared/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-artifacts/**', 'bench/out/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // CONTRIBUTING.md: the core never imports the editor.
    files: core,
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core must not import vscode (CONTRIBUTING.md).' }] }],
    },
  },
  {
    // The webview may use shared types only, never runtime code from the host.
    files: ['webview-ui/**'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'test/**', 'bench/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
