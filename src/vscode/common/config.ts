// Typed reads of the pop3Mail.* settings, with the defaults of settings.ts.
import * as vscode from 'vscode';
import { orDefault, SETTINGS_SECTION, type SettingKey, type SettingValue } from './settings';

/** A setting as the editor resolves it (user, workspace, folder); a value of the wrong type counts as unset. */
export function setting<K extends SettingKey>(key: K): SettingValue<K> {
  return orDefault(key, vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key));
}

/**
 * A setting from the user's own settings only, or undefined. For settings a
 * workspace must not change (where mail is stored, the sanitizer switch):
 * an opened folder is not trusted to redirect or weaken them.
 */
export function userSetting(key: SettingKey): unknown {
  return vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<unknown>(key)?.globalValue;
}

/** True when a configuration change touches this setting. */
export function affects(e: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
  return e.affectsConfiguration(`${SETTINGS_SECTION}.${key}`);
}
