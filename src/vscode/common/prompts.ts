// Small prompts. Escape (undefined) always means "cancel, change nothing".
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountConfig } from '../../sync/account';
import { passwordProblem } from '../accounts/account-settings';
import { forLabel, forPrompt } from './surface-text';

/** A password input box; undefined when the user cancels. */
export function askPassword(account: AccountConfig, prompt?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: vscode.l10n.t('POP3 Mail: {0}', forLabel(account.name, 120)),
    prompt: prompt ?? vscode.l10n.t('Password for {0} on {1}:{2}', forPrompt(account.user, 120), forPrompt(account.host, 120), account.port),
    password: true,
    ignoreFocusOut: true,
    validateInput: passwordProblem,
  });
}

/** `~/x` -> home/x, relative -> absolute (against the home folder: there may be no workspace). */
export function resolveUserPath(input: string): string {
  const trimmed = input.trim();
  if (trimmed === '~') return os.homedir();
  if (trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return path.join(os.homedir(), trimmed.slice(2));
  return path.resolve(os.homedir(), trimmed);
}

