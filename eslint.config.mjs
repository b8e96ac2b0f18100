import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

const core = ['src/pop3/**', 'src/mail/**', 'src/search/**', 'src/store/**', 'src/sync/**', 'src/cli/**', 'src/shared/**'];
// Modules of the extension layer that stay pure, so unit tests run them without an editor.
const pureExtension = [
  'src/vscode/accounts/account-settings.ts',
  'src/vscode/common/commands.ts',
  'src/vscode/common/errors.ts',
  'src/vscode/common/l10n.ts',
  'src/vscode/common/settings.ts',
  'src/vscode/common/stores.ts',
  'src/vscode/common/surface-text.ts',
  'src/vscode/common/text.ts',
  'src/vscode/fetch/check-due.ts',
  'src/vscode/inbox/account-views.ts',
  'src/vscode/inbox/conversation-rows.ts',
  'src/vscode/inbox/date-groups.ts',
  'src/vscode/inbox/message-refs.ts',
  'src/vscode/inbox/tree-nodes.ts',
  'src/vscode/message-view/attachment-rules.ts',
  'src/vscode/message-view/webview-dispatch.ts',
  'src/vscode/search/message-query.ts',
];

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
    // Regular expressions meet untrusted text (mail, server replies): one that
    // backtracks or moves super-linearly on a long run of one character can
    // freeze the editor (docs/security.md).
    files: ['src/**', 'webview-ui/**', 'scripts/**', 'test/**', 'bench/**'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
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
    files: pureExtension,
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'This module is pure: unit tests load it without the editor. Put editor code in another module.' }] }],
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
