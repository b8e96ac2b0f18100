// Input boxes. Escape (undefined) always means "cancel, change nothing".
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccountConfig } from '../sync/account';
import { DEFAULT_TLS_PORT, hostProblem, normalizeHost, passwordProblem, portProblem, userProblem } from './accountConfig';

const TITLE = 'Add POP3 Account';
const STEPS = 5;

function step(n: number): string {
  return `${TITLE} (${n}/${STEPS})`;
}

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

async function caFileProblem(input: string): Promise<string | undefined> {
  if (input.trim() === '') return undefined;
  try {
    const stat = await fs.stat(resolveUserPath(input));
    return stat.isFile() ? undefined : 'Not a file';
  } catch {
    return 'No such file';
  }
}

export interface NewAccount {
  readonly account: AccountConfig;
  readonly password: string;
}

/**
 * The Add Account input boxes, in this order (the e2e test types into them):
 * host, port (prefilled 995), user name, password, extra CA file (optional).
 */
export async function askNewAccount(): Promise<NewAccount | undefined> {
  const hostInput = await vscode.window.showInputBox({
    title: step(1),
    prompt: 'Host: the POP3 server (POP3S, implicit TLS)',
    placeHolder: 'pop.example.com',
    ignoreFocusOut: true,
    validateInput: hostProblem,
  });
  if (hostInput === undefined) return undefined;
  const host = normalizeHost(hostInput);

  const portInput = await vscode.window.showInputBox({
    title: step(2),
    prompt: 'Port (995 is POP3 over TLS)',
    value: String(DEFAULT_TLS_PORT),
    ignoreFocusOut: true,
    validateInput: portProblem,
  });
  if (portInput === undefined) return undefined;
  const port = Number(portInput.trim());

  const user = await vscode.window.showInputBox({
    title: step(3),
    prompt: 'User name',
    placeHolder: 'alice@example.com',
    ignoreFocusOut: true,
    validateInput: userProblem,
  });
  if (user === undefined) return undefined;

  const password = await vscode.window.showInputBox({
    title: step(4),
    prompt: `Password for ${user} (stored in the system keychain via SecretStorage)`,
    password: true,
    ignoreFocusOut: true,
    validateInput: passwordProblem,
  });
  if (password === undefined) return undefined;

  const caInput = await vscode.window.showInputBox({
    title: step(5),
    prompt: 'Extra trusted CA certificate (PEM file, optional)',
    placeHolder: 'Leave empty to trust the system certificate authorities only',
    ignoreFocusOut: true,
    validateInput: caFileProblem,
  });
  if (caInput === undefined) return undefined;

  const account: AccountConfig = {
    name: `${user}@${host}`,
    host,
    port,
    user,
    security: 'tls',
    ...(caInput.trim() !== '' ? { caFile: resolveUserPath(caInput) } : {}),
  };
  return { account, password };
}
