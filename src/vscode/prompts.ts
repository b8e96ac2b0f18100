// Small prompts. Escape (undefined) always means "cancel, change nothing".
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountConfig } from '../sync/account';
import { passwordProblem } from './accountConfig';

/** A password input box; undefined when the user cancels. */
export function askPassword(account: AccountConfig, prompt?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `POP3 Mail: ${account.name}`,
    prompt: prompt ?? `Password for ${account.user} on ${account.host}:${account.port}`,
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

