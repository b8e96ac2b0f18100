// "Always load remote content from this sender" (docs/security.md T34). The
// decision is remembered in globalState (a workspace cannot add to it) and
// mirrored into the user setting pop3Mail.remoteContent.allowedSenders, where
// the user sees it and can revoke it: a sender counts as trusted only while
// it is in both. Only the user (global) value of the setting is read.
import * as vscode from 'vscode';

const STATE_KEY = 'pop3Mail.remoteContent.senders';
const SECTION = 'pop3Mail';
const KEY = 'remoteContent.allowedSenders';
export const ALLOWED_SENDERS_SETTING = `${SECTION}.${KEY}`;

/** Addresses compare case-insensitively (the domain is; the local part is in practice). */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** A plausible single address: what "Always for this sender" may remember. */
export function isRememberableAddress(address: string): boolean {
  return address.length > 2 && address.length <= 320 && /^[^\s@<>"]+@[^\s@<>"]+$/.test(address);
}

export class RemoteContentPolicy {
  constructor(private readonly state: vscode.Memento) {}

  private remembered(): string[] {
    const value = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  private settingList(): string[] {
    const value = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(KEY)?.globalValue;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map(normalizeAddress) : [];
  }

  isTrusted(address: string): boolean {
    if (!isRememberableAddress(address)) return false;
    const a = normalizeAddress(address);
    return this.remembered().includes(a) && this.settingList().includes(a);
  }

  async trust(address: string): Promise<void> {
    if (!isRememberableAddress(address)) return;
    const a = normalizeAddress(address);
    const remembered = this.remembered();
    if (!remembered.includes(a)) await this.state.update(STATE_KEY, [...remembered, a]);
    const list = this.settingList();
    if (!list.includes(a)) {
      await vscode.workspace.getConfiguration(SECTION).update(KEY, [...list, a], vscode.ConfigurationTarget.Global);
    }
  }
}
