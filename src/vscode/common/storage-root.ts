// Where the local mail lives: the `pop3Mail.storageFolder` user setting when
// set (an absolute path, or ~/...), else the extension's global storage.
import * as path from 'node:path';
import { userSetting } from './config';
import { resolveUserPath } from './prompts';

export function storageRoot(globalStorage: string): string {
  const configured = userSetting('storageFolder');
  if (typeof configured !== 'string' || configured.trim() === '') return globalStorage;
  const resolved = resolveUserPath(configured);
  return path.isAbsolute(resolved) ? resolved : globalStorage;
}
