// Where the local mail lives: the `pop3Mail.storageFolder` user setting when
// set (an absolute path, or ~/...), else the extension's global storage.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveUserPath } from './prompts';

export function storageRoot(globalStorage: string): string {
  const configured = vscode.workspace.getConfiguration('pop3Mail').inspect<string>('storageFolder')?.globalValue;
  if (typeof configured !== 'string' || configured.trim() === '') return globalStorage;
  const resolved = resolveUserPath(configured);
  return path.isAbsolute(resolved) ? resolved : globalStorage;
}
