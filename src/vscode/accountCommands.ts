// Commands on accounts: Add / Edit / Remove Account, Change Password, Fetch
// Mail (all or one), Cancel Fetch, Server Info, Trust Certificate, Reveal
// Mail Folder.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { serverInfo, type ServerInfo } from '../pop3/serverinfo';
import { CertificateError } from '../pop3/transport';
import { accountKey, type AccountConfig } from '../sync/account';
import type { Accounts } from './accounts';
import { describeRetention, passwordProblem } from './accountConfig';
import { accountWizard, confirmTrust } from './accountWizard';
import { describeError, logError } from './errors';
import type { FetchService } from './fetchService';
import type { Passwords } from './passwords';
import type { Stores } from './stores';
import { displayLine, notificationText } from './text';

export const SERVER_INFO_SCHEME = 'pop3-mail-info';

export class AccountCommands implements vscode.TextDocumentContentProvider {
  private readonly infos = new Map<string, string>();
  private readonly infoChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.infoChanged.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly passwords: Passwords,
    private readonly stores: Stores,
    private readonly fetcher: FetchService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    return [
      this.infoChanged,
      vscode.workspace.registerTextDocumentContentProvider(SERVER_INFO_SCHEME, this),
      vscode.commands.registerCommand('pop3Mail.addAccount', () => this.add()),
      vscode.commands.registerCommand('pop3Mail.editAccount', (arg?: unknown) => this.withAccount(arg, 'Edit which account?', (a) => this.edit(a))),
      vscode.commands.registerCommand('pop3Mail.removeAccount', (arg?: unknown) => this.withAccount(arg, 'Remove which account?', (a) => this.remove(a))),
      vscode.commands.registerCommand('pop3Mail.changePassword', (arg?: unknown) => this.withAccount(arg, 'Change the password of which account?', (a) => this.changePassword(a))),
      vscode.commands.registerCommand('pop3Mail.fetch', (arg?: unknown) => this.fetch(arg)),
      vscode.commands.registerCommand('pop3Mail.fetchAll', () => this.fetcher.fetchAll()),
      vscode.commands.registerCommand('pop3Mail.cancelFetch', () => {
        if (this.fetcher.cancelAll() === 0) void vscode.window.showInformationMessage('POP3 Mail: no fetch is running.');
      }),
      vscode.commands.registerCommand('pop3Mail.serverInfo', (arg?: unknown) => this.withAccount(arg, 'Server info of which account?', (a) => this.showServerInfo(a))),
      vscode.commands.registerCommand('pop3Mail.trustCertificate', (arg?: unknown) => this.withAccount(arg, 'Trust the certificate of which account?', (a) => this.trust(a))),
      vscode.commands.registerCommand('pop3Mail.revealMailFolder', (arg?: unknown) => this.withAccount(arg, 'Reveal the mail folder of which account?', (a) => this.reveal(a))),
    ];
  }

  /** Tells the user (once per distinct set) when entries of pop3Mail.accounts were skipped, and why. */
  checkSettings(): void {
    const problems = this.accounts.problems();
    const key = problems.join('\n');
    if (key === this.shownProblems) return;
    this.shownProblems = key;
    if (problems.length === 0) return;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more in the log)` : '';
    void vscode.window.showWarningMessage(`POP3 Mail: ${notificationText(problems[0]!, 200)}${more}`, 'Open Settings').then((c) => {
      if (c === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'pop3Mail.accounts' } });
    });
  }

  private shownProblems = '';

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.infos.get(uri.toString()) ?? 'Run "POP3 Mail: Server Info" again to load this page.';
  }

  /** The account a command is about: a tree node, an account key, the only account, or one the user picks. */
  private async withAccount(arg: unknown, question: string, run: (account: AccountConfig) => Promise<void>): Promise<void> {
    const account = await this.resolve(arg, question);
    if (account) await run(account);
  }

  private async resolve(arg: unknown, question: string): Promise<AccountConfig | undefined> {
    const list = this.accounts.list();
    if (typeof arg === 'string') return this.accounts.byKey(arg);
    if (typeof arg === 'object' && arg !== null && typeof (arg as { accountKey?: unknown }).accountKey === 'string') {
      return this.accounts.byKey((arg as { accountKey: string }).accountKey);
    }
    if (list.length === 0) {
      void vscode.window.showInformationMessage('POP3 Mail: no account yet.', 'Add Account').then((c) => {
        if (c === 'Add Account') void vscode.commands.executeCommand('pop3Mail.addAccount');
      });
      return undefined;
    }
    if (list.length === 1) return list[0];
    const pick = await vscode.window.showQuickPick(
      list.map((a) => ({ label: displayLine(a.name, 120), description: `${displayLine(a.host, 120)}:${a.port}`, account: a })),
      { title: 'POP3 Mail', placeHolder: question },
    );
    return pick?.account;
  }

  private async fetch(arg: unknown): Promise<void> {
    if (arg !== undefined) {
      const account = await this.resolve(arg, '');
      if (account) await this.fetcher.fetchAccount(account);
      return;
    }
    const list = this.accounts.list();
    if (list.length <= 1) return this.fetcher.fetchAll();
    const all = { label: '$(sync) All Accounts', account: undefined as AccountConfig | undefined };
    const pick = await vscode.window.showQuickPick([all, ...list.map((a) => ({ label: displayLine(a.name, 120), description: `${displayLine(a.host, 120)}:${a.port}`, account: a }))], {
      title: 'POP3 Mail: Fetch Mail',
      placeHolder: 'Fetch from all accounts, or pick one',
    });
    if (!pick) return;
    if (pick.account) await this.fetcher.fetchAccount(pick.account);
    else await this.fetcher.fetchAll();
  }

  private async add(): Promise<void> {
    const result = await accountWizard();
    if (!result || result.password === undefined) return; // Escape at any step: nothing saved.
    const { account, policy, password } = result;
    // The password first: should the setting fail, no account points at a missing secret.
    await this.passwords.set(account, password);
    try {
      await this.accounts.add(account, policy);
    } catch (error) {
      await this.passwords.delete(account);
      void vscode.window.showErrorMessage(describeError('POP3 Mail: could not save the account', error));
      return;
    }
    this.log.info(`account added: ${displayLine(account.name)} (${displayLine(account.host)}:${account.port}, ${account.security}; mail ${describeRetention(policy.retention)})`);
    void vscode.window.showInformationMessage(`Account added: ${displayLine(account.name, 120)}`, 'Fetch Now').then((choice) => {
      if (choice === 'Fetch Now') void this.fetcher.fetchAccount(account);
    });
  }

  private async edit(account: AccountConfig): Promise<void> {
    const key = accountKey(account);
    const entry = this.accounts.entryOf(key);
    if (!entry) return;
    const stored = await this.passwords.get(account);
    const result = await accountWizard(entry, stored);
    if (!result) return;
    const newKey = accountKey(result.account);
    const password = result.password ?? stored;
    if (password !== undefined) await this.passwords.set(result.account, password);
    // Another port of the same mailbox (e.g. POP3S to STARTTLS): its local mail, flags and
    // known UIDLs go along, before the new entry makes the tree open an empty store there.
    const sameMailbox = newKey !== key && result.account.user === account.user && result.account.host.toLowerCase() === account.host.toLowerCase();
    const moved = sameMailbox && !this.fetcher.isRunning() && (await this.stores.move(account, result.account));
    try {
      await this.accounts.save(result.account, result.policy, key);
    } catch (error) {
      if (moved) await this.stores.move(result.account, account);
      throw error;
    }
    if (newKey !== key) {
      await this.passwords.delete(account);
      this.fetcher.forget(key);
      const where = moved ? `its local mail moved to ${this.stores.dirFor(result.account)}` : `the mail fetched before stays in ${this.stores.dirFor(account)}`;
      this.log.info(`account ${displayLine(account.name)} now points at ${displayLine(result.account.host)}:${result.account.port}; ${where}`);
    }
    void vscode.window.showInformationMessage(`Account saved: ${displayLine(result.account.name, 120)}`);
  }

  private async remove(account: AccountConfig): Promise<void> {
    const name = displayLine(account.name, 120);
    const keep = 'Remove, Keep Local Mail';
    const drop = 'Remove and Delete Local Mail';
    const choice = await vscode.window.showWarningMessage(
      `Remove the account ${name}?`,
      { modal: true, detail: `Its password is deleted from the keychain. The mail downloaded so far is in ${this.stores.dirFor(account)}: keep it, or delete it too? Nothing is deleted on the server.` },
      keep,
      drop,
    );
    if (choice !== keep && choice !== drop) return;
    const key = accountKey(account);
    await this.accounts.remove(key);
    await this.passwords.delete(account);
    this.fetcher.forget(key);
    if (choice === drop) {
      try {
        await this.stores.deleteLocal(account);
      } catch (error) {
        void vscode.window.showErrorMessage(describeError('POP3 Mail: could not delete the local mail', error));
      }
    }
    this.log.info(`account removed: ${name}${choice === drop ? ' (local mail deleted)' : ''}`);
  }

  private async changePassword(account: AccountConfig): Promise<void> {
    const password = await vscode.window.showInputBox({
      title: `POP3 Mail: ${displayLine(account.name, 120)}`,
      prompt: `New password for ${displayLine(account.user, 120)} on ${displayLine(account.host, 120)} (kept in the system keychain)`,
      password: true,
      ignoreFocusOut: true,
      validateInput: passwordProblem,
    });
    if (password === undefined) return;
    await this.passwords.set(account, password);
    this.log.info(`password changed for ${displayLine(account.name)}`);
    void vscode.window.showInformationMessage('POP3 Mail: password saved.', 'Fetch Now').then((c) => {
      if (c === 'Fetch Now') void this.fetcher.fetchAccount(account);
    });
  }

  private async connectOptions(account: AccountConfig, signal: AbortSignal) {
    return {
      host: account.host,
      port: account.port,
      security: account.security,
      ca: account.caFile ? await fs.readFile(account.caFile) : undefined,
      pin: account.pin,
      signal,
    };
  }

  private probe(account: AccountConfig, title: string): Thenable<ServerInfo> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_p, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return serverInfo(await this.connectOptions(account, controller.signal));
    });
  }

  private async showServerInfo(account: AccountConfig): Promise<void> {
    const name = displayLine(account.name, 120);
    let info: ServerInfo;
    try {
      info = await this.probe(account, `POP3 Mail: asking ${displayLine(account.host, 120)}`);
    } catch (error) {
      this.log.error(`server info ${name}: ${logError(error)}`);
      const actions = error instanceof CertificateError && error.certificate ? ['Trust Certificate...', 'Show Log'] : ['Show Log'];
      const choice = await vscode.window.showErrorMessage(describeError(`POP3 Mail: server info for ${name} failed`, error), ...actions);
      if (choice === 'Trust Certificate...') await this.trust(account);
      else if (choice === 'Show Log') this.log.show(true);
      return;
    }
    const uri = vscode.Uri.from({ scheme: SERVER_INFO_SCHEME, path: `/${accountKey(account)}/Server Info.md` });
    this.infos.set(uri.toString(), serverInfoText(account, info));
    this.infoChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** Trust Certificate: connect, show the presented certificate's SHA-256 fingerprint, pin it only when confirmed (T06). */
  private async trust(account: AccountConfig): Promise<void> {
    const name = displayLine(account.name, 120);
    let fingerprint: string | undefined;
    let subject: string | undefined;
    try {
      const info = await this.probe(account, `POP3 Mail: getting the certificate of ${displayLine(account.host, 120)}`);
      void vscode.window.showInformationMessage(
        `POP3 Mail: the certificate of ${name} is already trusted${account.pin ? ' (pinned)' : ''}. SHA-256 ${info.certificate?.fingerprint256 ?? '?'}`,
      );
      return;
    } catch (error) {
      if (!(error instanceof CertificateError) || !error.certificate) {
        void vscode.window.showErrorMessage(describeError(`POP3 Mail: could not get the certificate of ${name}`, error));
        return;
      }
      fingerprint = error.certificate.fingerprint256;
      subject = error.certificate.subject;
      this.log.warn(`certificate of ${name} refused (${notificationText(error.reason, 200)}): SHA-256 ${fingerprint}`);
    }
    if (!fingerprint || !(await confirmTrust(account.host, fingerprint, subject))) return;
    const key = accountKey(account);
    const entry = this.accounts.entryOf(key);
    if (!entry) return;
    await this.accounts.save({ ...account, pin: fingerprint }, entry.policy, key);
    this.log.info(`pinned the certificate of ${name}: SHA-256 ${fingerprint}`);
    void vscode.window.showInformationMessage(`POP3 Mail: the certificate of ${name} is trusted now.`, 'Fetch Now').then((c) => {
      if (c === 'Fetch Now') {
        const updated = this.accounts.byKey(key);
        if (updated) void this.fetcher.fetchAccount(updated);
      }
    });
  }

  private async reveal(account: AccountConfig): Promise<void> {
    const dir = (await this.stores.get(account)).maildir;
    const uri = vscode.Uri.file(dir);
    // The OS file manager exists only where the extension host runs on the user's machine.
    if (vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    }
    const choice = await vscode.window.showInformationMessage(`POP3 Mail: the mail of ${displayLine(account.name, 120)} is in ${dir}`, 'Copy Path', 'Open in New Window');
    if (choice === 'Copy Path') await vscode.env.clipboard.writeText(dir);
    else if (choice === 'Open in New Window') await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  }
}

/** The Server Info page; every piece of server text cleaned (T40). */
export function serverInfoText(account: AccountConfig, info: ServerInfo): string {
  const clean = (s: string | undefined, max = 300): string => (s === undefined || s === '' ? '-' : notificationText(s, max));
  const caps = Object.entries(info.capabilities).map(([k, v]) => `- ${clean(k, 60)}${v ? ` ${clean(v, 200)}` : ''}`);
  const c = info.certificate;
  return [
    `# Server Info: ${clean(account.name, 120)}`,
    '',
    `- Host: ${clean(info.host)}:${info.port} (${info.security === 'tls' ? 'implicit TLS' : 'STARTTLS'})`,
    `- TLS: ${clean(info.tls.protocol)} ${clean(info.tls.cipher)}`,
    `- Certificate pinned: ${account.pin ? 'yes' : 'no'}`,
    `- Greeting: ${clean(info.greeting)}`,
    `- Implementation: ${clean(info.implementation)}`,
    `- APOP offered: ${info.apopTimestamp ? 'yes' : 'no'}`,
    `- SASL mechanisms: ${info.saslMechanisms.length > 0 ? info.saslMechanisms.map((m) => clean(m, 40)).join(', ') : '-'}`,
    `- LOGIN-DELAY: ${info.loginDelay === undefined ? '-' : `${info.loginDelay} s`}`,
    `- EXPIRE: ${clean(info.expire)}`,
    '',
    '## Capabilities',
    '',
    ...(caps.length > 0 ? caps : ['- (none: the server does not answer CAPA)']),
    '',
    '## Certificate',
    '',
    ...(c
      ? [
          `- Subject: ${clean(c.subject)}`,
          `- Issuer: ${clean(c.issuer)}`,
          `- Valid: ${clean(c.validFrom)} to ${clean(c.validTo)}`,
          `- Names: ${clean(c.subjectAltName)}`,
          `- SHA-256: ${clean(c.fingerprint256)}`,
        ]
      : ['- (not available)']),
    '',
  ].join('\n');
}
