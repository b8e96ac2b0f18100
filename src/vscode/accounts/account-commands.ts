// Commands on accounts: Add / Edit / Remove Account, Change Password, Sign
// In, Server Info, Trust Certificate, Reveal Mail Folder. (Fetch commands: fetch/.)
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import { serverInfo, type ServerInfo } from '../../pop3/serverinfo';
import { CertificateError } from '../../pop3/transport';
import { accountKey, type AccountConfig } from '../../sync/account';
import { connectOptions } from '../../sync/connect';
import type { Accounts } from './accounts';
import { describeRetention, passwordProblem } from './account-settings';
import { accountWizard, confirmTrust } from './account-wizard';
import { pickAccount } from './pick-account';
import { describeError, logError } from '../common/errors';
import { withAbortableProgress } from '../common/progress';
import type { FetchService } from '../fetch/fetch-service';
import type { Passwords } from './passwords';
import type { OAuthSessions } from './oauth-sessions';
import { clientConfigFor } from './oauth-config';
import { openSetupGuide } from './account-wizard-steps';
import { interactiveSignIn } from './sign-in';
import type { TokenSet } from '../../oauth/http';
import type { ClientConfig } from '../../oauth/flows';
import { setting } from '../common/config';
import type { Stores } from '../common/stores';
import { displayLine, forLabel, forModal, forNotification, forPrompt } from '../common/surface-text';

export const SERVER_INFO_SCHEME = 'pop3-mail-info';

export class AccountCommands implements vscode.TextDocumentContentProvider {
  private readonly infos = new Map<string, string>();
  private readonly infoChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.infoChanged.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly passwords: Passwords,
    private readonly sessions: OAuthSessions,
    private readonly stores: Stores,
    private readonly fetcher: FetchService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    return [
      this.infoChanged,
      vscode.workspace.registerTextDocumentContentProvider(SERVER_INFO_SCHEME, this),
      vscode.commands.registerCommand(COMMANDS.addAccount, () => this.add()),
      vscode.commands.registerCommand(COMMANDS.editAccount, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Edit which account?'), (a) => this.edit(a))),
      vscode.commands.registerCommand(COMMANDS.removeAccount, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Remove which account?'), (a) => this.remove(a))),
      vscode.commands.registerCommand(COMMANDS.signIn, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Sign in to which account?'), (a) => this.signIn(a))),
      vscode.commands.registerCommand(COMMANDS.changePassword, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Change the password of which account?'), (a) => this.changePassword(a))),
      vscode.commands.registerCommand(COMMANDS.serverInfo, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Server info of which account?'), (a) => this.showServerInfo(a))),
      vscode.commands.registerCommand(COMMANDS.trustCertificate, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Trust the certificate of which account?'), (a) => this.trust(a))),
      vscode.commands.registerCommand(COMMANDS.revealMailFolder, (arg?: unknown) => this.withAccount(arg, vscode.l10n.t('Reveal the mail folder of which account?'), (a) => this.reveal(a))),
    ];
  }

  /** Tells the user (once per distinct set) when entries of pop3Mail.accounts were skipped, and why. */
  checkSettings(): void {
    const problems = this.accounts.problems();
    const key = problems.join('\n');
    if (key === this.shownProblems) return;
    this.shownProblems = key;
    if (problems.length === 0) return;
    const first = forNotification(problems[0]!, 200);
    const text = problems.length > 1 ? vscode.l10n.t('POP3 Mail: {0} (and {1} more in the log)', first, problems.length - 1) : vscode.l10n.t('POP3 Mail: {0}', first);
    const open = vscode.l10n.t('Open Settings');
    void vscode.window.showWarningMessage(text, open).then((c) => {
      if (c === open) void vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'pop3Mail.accounts' } });
    });
  }

  private shownProblems = '';

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.infos.get(uri.toString()) ?? vscode.l10n.t('Run "POP3 Mail: Server Info" again to load this page.');
  }

  /** The account a command is about: a tree node, an account key, the only account, or one the user picks. */
  private async withAccount(arg: unknown, question: string, run: (account: AccountConfig) => Promise<void>): Promise<void> {
    const account = await pickAccount(this.accounts, arg, question);
    if (account) await run(account);
  }

  private async add(): Promise<void> {
    const result = await accountWizard();
    if (!result || (result.password === undefined && result.account.login === undefined)) return; // Escape at any step: nothing saved.
    const { account, policy, password, tokens } = result;
    // The secret first: should the setting fail, no account points at a missing secret.
    if (password !== undefined) await this.passwords.set(account, password);
    if (tokens) await this.keepSignIn(account, tokens);
    try {
      await this.accounts.add(account, policy);
    } catch (error) {
      await this.passwords.delete(account);
      await this.sessions.forget(account);
      void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not save the account'), error));
      return;
    }
    this.log.info(`account added: ${displayLine(account.name)} (${displayLine(account.host)}:${account.port}, ${account.security}; mail ${describeRetention(policy.retention)})`);
    const fetchNow = vscode.l10n.t('Fetch Now');
    void vscode.window.showInformationMessage(vscode.l10n.t('Account added: {0}', forNotification(account.name, 120)), fetchNow).then((choice) => {
      if (choice === fetchNow) void this.fetcher.fetchAccount(account);
    });
  }

  private async edit(account: AccountConfig): Promise<void> {
    const key = accountKey(account);
    const entry = this.accounts.entryOf(key);
    if (!entry) return;
    const stored = account.login === undefined ? await this.passwords.get(account) : undefined;
    // The edited account's sign-in, for the connection test (undefined: sign in again).
    const current = async (_a: AccountConfig, config: ClientConfig): Promise<string | undefined> => (account.login ? this.sessions.sessionFor(account, config).accessToken() : undefined);
    const result = await accountWizard(entry, stored, current);
    if (!result) return;
    const newKey = accountKey(result.account);
    const password = result.password ?? stored;
    if (result.account.login === undefined && password !== undefined) await this.passwords.set(result.account, password);
    if (result.account.login !== undefined && account.login === undefined) await this.passwords.delete(account);
    if (account.login !== undefined && result.account.login !== account.login) await this.sessions.forget(account, this.configOf(account));
    else if (account.login !== undefined) await this.sessions.move(account, result.account);
    if (result.tokens) await this.keepSignIn(result.account, result.tokens);
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
      if (moved) this.fetcher.moveState(key, newKey);
      else this.fetcher.forget(key);
      const where = moved ? `its local mail moved to ${this.stores.dirFor(result.account)}` : `the mail fetched before stays in ${this.stores.dirFor(account)}`;
      this.log.info(`account ${displayLine(account.name)} now points at ${displayLine(result.account.host)}:${result.account.port}; ${where}`);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Account saved: {0}', forNotification(result.account.name, 120)));
  }

  private async remove(account: AccountConfig): Promise<void> {
    const name = displayLine(account.name, 120);
    const keep = vscode.l10n.t('Remove, Keep Local Mail');
    const drop = vscode.l10n.t('Remove and Delete Local Mail');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Remove the account {0}?', forModal(account.name, 120)),
      {
        modal: true,
        detail:
          account.login === undefined
            ? vscode.l10n.t('Its password is deleted from the keychain. The mail downloaded so far is in {0}: keep it, or delete it too? Nothing is deleted on the server.', this.stores.dirFor(account))
            : vscode.l10n.t('Its sign-in is deleted from the keychain and revoked at the provider where possible. The mail downloaded so far is in {0}: keep it, or delete it too? Nothing is deleted on the server.', this.stores.dirFor(account)),
      },
      keep,
      drop,
    );
    if (choice !== keep && choice !== drop) return;
    const key = accountKey(account);
    await this.accounts.remove(key);
    await this.passwords.delete(account);
    if (account.login !== undefined) await this.sessions.forget(account, this.configOf(account));
    this.fetcher.forget(key);
    if (choice === drop) {
      try {
        await this.stores.deleteLocal(account);
      } catch (error) {
        void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not delete the local mail'), error));
      }
    }
    this.log.info(`account removed: ${name}${choice === drop ? ' (local mail deleted)' : ''}`);
  }

  /** The client configuration of an OAuth account, or undefined (a password account, or settings that do not make one). */
  private configOf(account: AccountConfig): ClientConfig | undefined {
    if (account.login === undefined) return undefined;
    const made = clientConfigFor(account.login, (k) => setting(k));
    return 'config' in made ? made.config : undefined;
  }

  /** Stores a new sign-in's refresh token; a provider that gave none is told, not hidden. */
  private async keepSignIn(account: AccountConfig, tokens: TokenSet): Promise<boolean> {
    const config = this.configOf(account);
    if (!config) return false;
    try {
      await this.sessions.sessionFor(account, config).adopt(tokens);
      this.fetcher.signedIn(account);
      this.log.info(`signed in: ${displayLine(account.name, 120)}`);
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: the sign-in of {0} cannot be kept', forNotification(account.name, 120)), error));
      return false;
    }
  }

  /** Sign In: a new interactive sign-in for an OAuth account, then a fetch. */
  private async signIn(account: AccountConfig): Promise<void> {
    const name = forNotification(account.name, 120);
    if (account.login === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: {0} logs in with a password; use Change Password.', name));
      return;
    }
    const made = clientConfigFor(account.login, (k) => setting(k));
    if ('problem' in made) {
      const open = vscode.l10n.t('Open Settings');
      const guide = vscode.l10n.t('Open the Setup Guide');
      const choice = await vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: {0}', forNotification(made.problem, 300)), open, guide);
      if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', `pop3Mail.${made.setting}`);
      else if (choice === guide) await openSetupGuide();
      return;
    }
    let tokens: TokenSet | undefined;
    try {
      tokens = await interactiveSignIn(made.config, { account: account.name, loginHint: account.user.includes('@') ? account.user : undefined });
    } catch (error) {
      this.log.warn(`sign-in ${displayLine(account.name, 120)} failed: ${logError(error)}`);
      void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: signing in {0} failed', name), error));
      return;
    }
    if (!tokens || !(await this.keepSignIn(account, tokens))) return;
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: signed in {0}.', name));
    await this.fetcher.fetchAccount(account);
  }

  private async changePassword(account: AccountConfig): Promise<void> {
    if (account.login !== undefined) {
      await this.signIn(account); // an OAuth account has no password: a new sign-in is its equivalent
      return;
    }
    const password = await vscode.window.showInputBox({
      title: vscode.l10n.t('POP3 Mail: {0}', forLabel(account.name, 120)),
      prompt: vscode.l10n.t('New password for {0} on {1} (kept in the system keychain)', forPrompt(account.user, 120), forPrompt(account.host, 120)),
      password: true,
      ignoreFocusOut: true,
      validateInput: passwordProblem,
    });
    if (password === undefined) return;
    await this.passwords.set(account, password);
    this.log.info(`password changed for ${displayLine(account.name)}`);
    const fetchNow = vscode.l10n.t('Fetch Now');
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: password saved.'), fetchNow).then((c) => {
      if (c === fetchNow) void this.fetcher.fetchAccount(account);
    });
  }

  private probe(account: AccountConfig, title: string): Thenable<ServerInfo> {
    return withAbortableProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, signal) =>
      serverInfo(connectOptions(account, { signal })),
    );
  }

  private async showServerInfo(account: AccountConfig): Promise<void> {
    const name = forNotification(account.name, 120);
    let info: ServerInfo;
    try {
      info = await this.probe(account, vscode.l10n.t('POP3 Mail: asking {0}', forNotification(account.host, 120)));
    } catch (error) {
      this.log.error(`server info ${displayLine(account.name, 120)}: ${logError(error)}`);
      const trust = vscode.l10n.t('Trust Certificate...');
      const showLog = vscode.l10n.t('Show Log');
      const actions = error instanceof CertificateError && error.certificate ? [trust, showLog] : [showLog];
      const choice = await vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: server info for {0} failed', name), error), ...actions);
      if (choice === trust) await this.trust(account);
      else if (choice === showLog) this.log.show(true);
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
    const name = forNotification(account.name, 120);
    let fingerprint: string | undefined;
    let subject: string | undefined;
    try {
      const info = await this.probe(account, vscode.l10n.t('POP3 Mail: getting the certificate of {0}', forNotification(account.host, 120)));
      const fp = forNotification(info.certificate?.fingerprint256 ?? '?', 120);
      void vscode.window.showInformationMessage(
        account.pin
          ? vscode.l10n.t('POP3 Mail: the certificate of {0} is already trusted (pinned). SHA-256 {1}', name, fp)
          : vscode.l10n.t('POP3 Mail: the certificate of {0} is already trusted. SHA-256 {1}', name, fp),
      );
      return;
    } catch (error) {
      if (!(error instanceof CertificateError) || !error.certificate) {
        void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not get the certificate of {0}', name), error));
        return;
      }
      fingerprint = error.certificate.fingerprint256;
      subject = error.certificate.subject;
      this.log.warn(`certificate of ${displayLine(account.name, 120)} refused (${displayLine(error.reason, 200)}): SHA-256 ${fingerprint}`);
    }
    if (!fingerprint || !(await confirmTrust(account.host, fingerprint, subject))) return;
    const key = accountKey(account);
    const entry = this.accounts.entryOf(key);
    if (!entry) return;
    await this.accounts.save({ ...account, pin: fingerprint }, entry.policy, key);
    this.log.info(`pinned the certificate of ${displayLine(account.name, 120)}: SHA-256 ${fingerprint}`);
    const fetchNow = vscode.l10n.t('Fetch Now');
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: the certificate of {0} is trusted now.', name), fetchNow).then((c) => {
      if (c === fetchNow) {
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
    const copy = vscode.l10n.t('Copy Path');
    const open = vscode.l10n.t('Open in New Window');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: the mail of {0} is in {1}', forNotification(account.name, 120), forNotification(dir, 400)), copy, open);
    if (choice === copy) await vscode.env.clipboard.writeText(dir);
    else if (choice === open) await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  }
}

/**
 * The Server Info page, a Markdown file shown as text: each piece of server
 * text one line, capped, and with its `](` broken (forNotification), so a
 * Markdown preview of the page makes no link of it (T40).
 */
export function serverInfoText(account: AccountConfig, info: ServerInfo): string {
  const clean = (s: string | undefined, max = 300): string => (s === undefined || s === '' ? '-' : forNotification(s, max));
  const caps = Object.entries(info.capabilities).map(([k, v]) => `- ${clean(k, 60)}${v ? ` ${clean(v, 200)}` : ''}`);
  const c = info.certificate;
  const yesNo = (b: unknown): string => (b ? vscode.l10n.t('yes') : vscode.l10n.t('no'));
  return [
    vscode.l10n.t('# Server Info: {0}', clean(account.name, 120)),
    '',
    vscode.l10n.t('- Host: {0}:{1} ({2})', clean(info.host), info.port, info.security === 'tls' ? vscode.l10n.t('implicit TLS') : 'STARTTLS'),
    vscode.l10n.t('- TLS: {0} {1}', clean(info.tls.protocol), clean(info.tls.cipher)),
    vscode.l10n.t('- Certificate pinned: {0}', yesNo(account.pin)),
    vscode.l10n.t('- Greeting: {0}', clean(info.greeting)),
    vscode.l10n.t('- Implementation: {0}', clean(info.implementation)),
    vscode.l10n.t('- APOP offered: {0}', yesNo(info.apopTimestamp)),
    vscode.l10n.t('- SASL mechanisms: {0}', info.saslMechanisms.length > 0 ? info.saslMechanisms.map((m) => clean(m, 40)).join(', ') : '-'),
    vscode.l10n.t('- LOGIN-DELAY: {0}', info.loginDelay === undefined ? '-' : vscode.l10n.t('{0} s', info.loginDelay)),
    vscode.l10n.t('- EXPIRE: {0}', clean(info.expire)),
    '',
    vscode.l10n.t('## Capabilities'),
    '',
    ...(caps.length > 0 ? caps : [vscode.l10n.t('- (none: the server does not answer CAPA)')]),
    '',
    vscode.l10n.t('## Certificate'),
    '',
    ...(c
      ? [
          vscode.l10n.t('- Subject: {0}', clean(c.subject)),
          vscode.l10n.t('- Issuer: {0}', clean(c.issuer)),
          vscode.l10n.t('- Valid: {0} to {1}', clean(c.validFrom), clean(c.validTo)),
          vscode.l10n.t('- Names: {0}', clean(c.subjectAltName)),
          vscode.l10n.t('- SHA-256: {0}', clean(c.fingerprint256)),
        ]
      : [vscode.l10n.t('- (not available)')]),
    '',
  ].join('\n');
}
