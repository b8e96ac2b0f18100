// The status bar item: unread count and the time of the last check; a click
// fetches every account; the tooltip lists the accounts and their state.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import { accountKey } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import type { FetchService } from './fetch-service';
import { forMarkdown } from '../common/surface-text';
import { shortDate } from '../common/text';
import type { InboxTree } from '../inbox/inbox-tree';

/** The tooltip shows state icons, so untrusted parts must not make icons of their own. */
const ICONS = { themeIcons: true } as const;

export class MailStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pop3Mail.status', vscode.StatusBarAlignment.Left, 50);
  /** undefined until the stores have been counted (a moment after activation). */
  private unread: number | undefined;
  private readonly perAccount = new Map<string, number>();

  constructor(
    private readonly accounts: Accounts,
    private readonly fetcher: FetchService,
    private readonly tree: InboxTree,
  ) {
    this.item.name = vscode.l10n.t('POP3 Mail');
    this.item.command = { command: COMMANDS.fetchAll, title: vscode.l10n.t('Fetch Mail') };
  }

  dispose(): void {
    this.item.dispose();
  }

  /** Recounts unread mail (opens the stores) and redraws. */
  async recount(): Promise<void> {
    let total = 0;
    for (const account of this.accounts.list()) {
      const n = await this.tree.unreadOf(account);
      this.perAccount.set(accountKey(account), n);
      total += n;
    }
    this.unread = total;
    this.update();
  }

  update(): void {
    const accounts = this.accounts.list();
    if (accounts.length === 0) {
      this.item.hide();
      return;
    }
    const states = accounts.map((a) => ({ a, s: this.fetcher.stateOf(a) }));
    const running = states.some(({ s }) => s.running);
    const failed = states.some(({ s }) => s.error !== undefined && !s.running);
    const last = Math.max(0, ...states.map(({ s }) => s.lastCheck ?? 0));
    const locale = vscode.env.language;
    const unread = this.unread;
    const icon = running ? '$(sync~spin)' : failed ? '$(warning)' : unread === 0 ? '$(mail-read)' : '$(mail)';
    const when = last > 0 ? ` \u00b7 ${shortDate(new Date(last).toISOString(), locale)}` : '';
    this.item.text = `${icon}${unread === undefined ? '' : ` ${unread}`}${when}`;
    const label = [unread === undefined ? vscode.l10n.t('POP3 Mail:') : vscode.l10n.t('POP3 Mail: {0} unread', unread)];
    if (running) label.push(vscode.l10n.t('fetching'));
    if (failed) label.push(vscode.l10n.t('a fetch failed'));
    this.item.accessibilityInformation = { label: label.join(', ') };
    const md = new vscode.MarkdownString(undefined, ICONS.themeIcons);
    md.appendMarkdown(`${unread === undefined ? vscode.l10n.t('**POP3 Mail**') : vscode.l10n.t('**POP3 Mail**: {0} unread', unread)}\n\n`);
    for (const { a, s } of states) {
      const state = s.running
        ? `$(sync~spin) ${vscode.l10n.t('fetching')}`
        : s.error !== undefined
          ? `$(warning) ${vscode.l10n.t('failed: {0}', forMarkdown(s.error, 120, ICONS))}`
          : s.lastCheck
            ? `$(check) ${vscode.l10n.t('checked {0}', forMarkdown(new Date(s.lastCheck).toLocaleString(locale), 80, ICONS))}`
            : vscode.l10n.t('never fetched');
      const unread = this.perAccount.get(accountKey(a));
      const name = forMarkdown(a.name, 80, ICONS);
      const line = unread !== undefined ? vscode.l10n.t('{0} \u00b7 {1} unread \u00b7 {2}', name, unread, state) : vscode.l10n.t('{0} \u00b7 {1}', name, state);
      md.appendMarkdown(`- ${line}\n`);
    }
    md.appendMarkdown(`\n${vscode.l10n.t('Click to fetch mail from every account.')}`);
    this.item.tooltip = md;
    this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }
}
