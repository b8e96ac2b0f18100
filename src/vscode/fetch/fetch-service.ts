// "Fetch Mail" for the editor: progress (a notification when the user asked,
// the status bar for automatic checks), password prompts or the OAuth
// session's token, per-account policies, and the state the tree, welcome
// views and status bar show; what the user is told afterwards is in
// fetch-notices.ts. The core does the work (src/sync, src/oauth).
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import { Pop3Error } from '../../pop3/errors';
import { CertificateError } from '../../pop3/transport';
import { readLastCheck } from '../../store/last-check';
import { accountKey, type AccountConfig } from '../../sync/account';
import { fetchMail, type FetchOptions, type FetchProgress, type FetchResult } from '../../sync/fetch';
import { fetchWithSession } from '../../oauth/fetch-with-session';
import { SignInRequired, type OAuthSession } from '../../oauth/session';
import { clientConfigFor } from '../accounts/oauth-config';
import type { OAuthSessions } from '../accounts/oauth-sessions';
import { SyncManager } from '../../sync/manager';
import type { Accounts } from '../accounts/accounts';
import { setting } from '../common/config';
import { describeError, logError } from '../common/errors';
import type { Passwords } from '../accounts/passwords';
import { askPassword } from '../common/prompts';
import { withAbortableProgress } from '../common/progress';
import type { Stores } from '../common/stores';
import { displayLine, forNotification, forStatusBar } from '../common/surface-text';
import { formatBytes, progressText } from '../common/text';
import { announceResult, reportFailure, type Notices } from './fetch-notices';

export type FetchOutcome = 'done' | 'failed' | 'cancelled';

/** A check by another window this recent stands for a background check that has no password here. */
const CHECKED_ELSEWHERE_MS = 5 * 60_000;

export interface FetchRequest {
  /** The user confirmed that every message looking new is expected (server migration, T26). */
  readonly acceptNewUidls?: boolean;
  /** An automatic check: progress in the status bar, no password prompt, no error pop-up unless it is new. */
  readonly background?: boolean;
}

/** What the UI shows about an account's fetching. Kept in globalState (no secrets in it). */
export interface FetchState {
  readonly running: boolean;
  /** Epoch ms of the last completed check (success). */
  readonly lastCheck?: number;
  /** The last attempt failed: a cleaned one-line message. */
  readonly error?: string;
  /** Pop3Error code of that failure, if any. */
  readonly errorCode?: string;
  /** Epoch ms of that failure. */
  readonly errorAt?: number;
  /** Fingerprint of a refused certificate (for Trust Certificate). */
  readonly certificate?: string;
}

const STATE_KEY = 'pop3Mail.fetchState';
/** How long a fetch waits while another window (or the CLI) fetches the same account: long enough for a big first download. */
const WAIT_FOR_OTHER_FETCH_MS = 10 * 60_000;
/** FetchState.errorCode of an OAuth account whose sign-in no longer works. */
export const SIGN_IN_REQUIRED = 'SignInRequired';

type Login = Omit<FetchOptions, 'password' | 'token'>;

export class FetchService implements vscode.Disposable {
  private readonly running = new SyncManager<FetchOutcome>();
  private readonly fetched = new vscode.EventEmitter<AccountConfig>();
  private readonly stateChanged = new vscode.EventEmitter<void>();
  private readonly states: Map<string, FetchState>;
  private readonly askedForPassword = new Set<string>();
  private readonly askedToSignIn = new Set<string>();
  private readonly notices: Notices;
  /** Fires after every fetch attempt that may have changed a store (also after failures: partial downloads count). */
  readonly onDidFetch = this.fetched.event;
  /** Fires when an account starts or ends fetching, or its last result changes. */
  readonly onDidChangeState = this.stateChanged.event;

  constructor(
    private readonly accounts: Accounts,
    private readonly passwords: Passwords,
    private readonly stores: Stores,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento: vscode.Memento,
    private readonly sessions: OAuthSessions,
  ) {
    const saved = memento.get<Record<string, FetchState>>(STATE_KEY) ?? {};
    this.states = new Map(Object.entries(saved).map(([k, s]) => [k, { ...s, running: false }]));
    this.notices = {
      log,
      fetchAgain: (account, acceptNewUidls) => this.fetchAccount(account, acceptNewUidls ? { acceptNewUidls } : {}),
      notifyNewMail: (account) => this.accounts.policyOf(accountKey(account)).checks?.notifyNewMail,
    };
  }

  dispose(): void {
    this.cancelAll();
    this.fetched.dispose();
    this.stateChanged.dispose();
  }

  stateOf(account: AccountConfig): FetchState {
    return this.states.get(accountKey(account)) ?? { running: false };
  }

  isRunning(): boolean {
    return this.running.size > 0;
  }

  /** Aborts every running fetch; returns how many there were. */
  cancelAll(): number {
    return this.running.abortAll();
  }

  /** Forgets what we know about an account (Remove Account). */
  forget(key: string): void {
    this.states.delete(key);
    void this.persist();
    this.stateChanged.fire();
  }

  /**
   * Edit Account moved an account's local mail to a new key (another port of
   * the same mailbox): the time of its last check goes along, its errors and
   * pinned-certificate hints do not (they belonged to the old connection).
   */
  moveState(from: string, to: string): void {
    const lastCheck = this.states.get(from)?.lastCheck;
    this.states.delete(from);
    if (lastCheck !== undefined && !this.states.has(to)) this.states.set(to, { running: false, lastCheck });
    void this.persist();
    this.stateChanged.fire();
  }

  /** Every account, one after the other (their password prompts must not overlap). Cancelling one stops the rest. */
  async fetchAll(request: FetchRequest = {}): Promise<void> {
    const accounts = this.accounts.list();
    if (accounts.length === 0) {
      if (request.background) return;
      const add = vscode.l10n.t('Add Account');
      void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: no account yet.'), add).then((choice) => {
        if (choice === add) void vscode.commands.executeCommand(COMMANDS.addAccount);
      });
      return;
    }
    for (const account of accounts) {
      if ((await this.fetchAccount(account, request)) === 'cancelled' && !request.background) return;
    }
  }

  /** Fetches one account; a second call while it runs joins the running fetch. */
  fetchAccount(account: AccountConfig, request: FetchRequest = {}): Promise<FetchOutcome> {
    const key = accountKey(account);
    const { promise, joined } = this.running.run(key, (signal) => this.run(account, request, signal));
    if (joined) return promise;
    this.setState(key, { running: true });
    // Registered before any caller awaits `promise`: they see the state already updated.
    const ended = (): void => this.setState(key, { running: false });
    void promise.then(ended, ended);
    return promise;
  }

  private setState(key: string, change: Partial<FetchState>, clear: (keyof FetchState)[] = []): void {
    const next: Record<string, unknown> = { ...(this.states.get(key) ?? { running: false }), ...change };
    if (change.error !== undefined) next.errorAt = change.errorAt ?? Date.now();
    for (const k of clear) delete next[k];
    if (clear.includes('error')) delete next.errorAt;
    this.states.set(key, next as unknown as FetchState);
    if (clear.length > 0 || change.lastCheck !== undefined || change.error !== undefined) void this.persist();
    this.stateChanged.fire();
  }

  /**
   * Another window (or the CLI) changed this account's store. When it also
   * completed a check after this window's last failure, that failure is no
   * longer the account's state: the row and status bar stop showing it.
   */
  adoptCheckElsewhere(account: AccountConfig, dir: string): void {
    const key = accountKey(account);
    const state = this.states.get(key);
    if (state?.error === undefined || state.errorAt === undefined) return;
    const at = readLastCheck(dir);
    if (at !== undefined && at > state.errorAt) this.setState(key, { lastCheck: at }, ['error', 'errorCode', 'certificate']);
  }

  private persist(): Thenable<void> {
    const out: Record<string, FetchState> = {};
    for (const [k, s] of this.states) out[k] = { ...s, running: false };
    return this.memento.update(STATE_KEY, out);
  }

  /** The OAuth session of an account that signs in; throws with a message for the user when the settings make no client. */
  sessionOf(account: AccountConfig & Required<Pick<AccountConfig, 'login'>>): OAuthSession {
    const made = clientConfigFor(account.login, (k) => setting(k));
    if ('problem' in made) throw new Error(made.problem);
    return this.sessions.sessionFor(account, made.config);
  }

  /** A new sign-in worked: the sign-in notice may come again should it stop working. */
  signedIn(account: AccountConfig): void {
    const key = accountKey(account);
    this.askedToSignIn.delete(key);
    if (this.states.get(key)?.errorCode === SIGN_IN_REQUIRED) this.setState(key, {}, ['error', 'errorCode']);
  }

  private async run(account: AccountConfig, request: FetchRequest, signal: AbortSignal): Promise<FetchOutcome> {
    if (account.login !== undefined) return this.runOAuth(account, { ...account, login: account.login }, request, signal);
    const started = Date.now();
    let password = await this.passwords.get(account);
    if (password === undefined) {
      if (request.background) {
        // Another window that has the password checked this account a moment
        // ago (a window's secrets can lag behind another's): it is being
        // checked, there is no failure to show. The failure dates from this
        // check's start, so a check elsewhere completed after it clears it.
        const elsewhere = readLastCheck(this.stores.dirFor(account));
        if (elsewhere !== undefined && elsewhere >= started - CHECKED_ELSEWHERE_MS) this.setState(accountKey(account), { lastCheck: elsewhere }, ['error', 'errorCode', 'certificate']);
        else this.needsPassword(account, started);
        return 'cancelled';
      }
      password = await askPassword(account);
      if (password === undefined) return 'cancelled';
      await this.passwords.set(account, password);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const secret = password;
        const result = await this.fetchOnce(account, request, signal, (o) => fetchMail({ ...o, password: secret }), secret);
        this.succeeded(account, result, request);
        return 'done';
      } catch (error) {
        this.fetched.fire(account);
        if (Pop3Error.is(error, 'Aborted') || signal.aborted) return 'cancelled';
        // Only AuthFailed means a wrong password; IN-USE, SYS/TEMP and the rest keep the secret (T14).
        if (Pop3Error.is(error, 'AuthFailed') && attempt === 0 && !request.background) {
          const again = await askPassword(account, vscode.l10n.t('The server rejected the password for {0} on {1}. Enter it again.', account.user, account.host));
          if (again === undefined) return 'cancelled';
          password = again;
          await this.passwords.set(account, again);
          continue;
        }
        return this.failed(account, error, request);
      }
    }
  }

  /** An OAuth account: the session's access token, refreshed as needed; no prompt but Sign In. */
  private async runOAuth(account: AccountConfig, oauth: AccountConfig & Required<Pick<AccountConfig, 'login'>>, request: FetchRequest, signal: AbortSignal): Promise<FetchOutcome> {
    let session: OAuthSession;
    try {
      session = this.sessionOf(oauth);
    } catch (error) {
      return this.failed(account, error, request);
    }
    try {
      const result = await this.fetchOnce(account, request, signal, (o) => fetchWithSession(session, o));
      this.succeeded(account, result, request);
      return 'done';
    } catch (error) {
      this.fetched.fire(account);
      if (Pop3Error.is(error, 'Aborted') || signal.aborted) return 'cancelled';
      if (error instanceof SignInRequired) {
        this.needsSignIn(account, error, request);
        return 'failed';
      }
      return this.failed(account, error, request);
    }
  }

  private succeeded(account: AccountConfig, result: FetchResult, request: FetchRequest): void {
    this.setState(accountKey(account), { lastCheck: result.checkedElsewhere ?? Date.now() }, ['error', 'errorCode', 'certificate']);
    announceResult(account, result, request, this.notices);
  }

  private failed(account: AccountConfig, error: unknown, request: FetchRequest): FetchOutcome {
    const key = accountKey(account);
    const certificate = error instanceof CertificateError ? error.certificate?.fingerprint256 : undefined;
    const message = describeError('', error).replace(/^: /, '');
    const previous = this.states.get(key)?.error;
    this.setState(key, { error: message, errorCode: Pop3Error.is(error) ? error.code : 'Error', ...(certificate ? { certificate } : {}) }, certificate ? [] : ['certificate']);
    // An automatic check repeats the same failure quietly: the tree row and status bar show it.
    if (!request.background || previous !== message) reportFailure(account, error, this.notices);
    return 'failed';
  }

  /** The sign-in no longer works: the tree row says so, and one notification offers Sign In. */
  private needsSignIn(account: AccountConfig, error: SignInRequired, request: FetchRequest): void {
    const key = accountKey(account);
    this.log.warn(`fetch ${displayLine(account.name, 120)}: sign-in needed (${displayLine(error.message, 300)})`);
    this.setState(key, { error: vscode.l10n.t('Sign in again to {0}', account.name), errorCode: SIGN_IN_REQUIRED });
    // Automatic checks do not repeat the notice; a fetch the user asked for does.
    if (request.background && this.askedToSignIn.has(key)) return;
    this.askedToSignIn.add(key);
    const signIn = vscode.l10n.t('Sign In');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('POP3 Mail: Sign in again to {0}. {1}', forNotification(account.name, 120), forNotification(error.message, 240)), signIn)
      .then((choice) => {
        if (choice === signIn) void vscode.commands.executeCommand(COMMANDS.signIn, key);
      });
  }

  private needsPassword(account: AccountConfig, since: number): void {
    const key = accountKey(account);
    this.setState(key, { error: vscode.l10n.t('No password stored: fetch once to enter it'), errorCode: 'NoPassword', errorAt: since });
    if (this.askedForPassword.has(key)) return;
    this.askedForPassword.add(key);
    void vscode.window
      .showWarningMessage(vscode.l10n.t('POP3 Mail: {0} has no stored password, so automatic checks skip it.', forNotification(account.name, 120)), vscode.l10n.t('Enter Password'))
      .then((choice) => {
        if (choice === vscode.l10n.t('Enter Password')) void this.fetchAccount(account);
      });
  }

  /** Tells the user what the core flagged and what arrived; without waiting for an answer. */
  private fetchOnce(account: AccountConfig, request: FetchRequest, runSignal: AbortSignal, login: (options: Login) => Promise<FetchResult>, password = ''): Thenable<FetchResult> {
    const name = displayLine(account.name, 120);
    const location = request.background ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    // A background check shows its progress in the status bar (icons), a fetch asked for in a notification (links).
    const title = vscode.l10n.t('POP3 Mail: {0}', request.background ? forStatusBar(account.name, 60) : forNotification(account.name, 120));
    const requested = Date.now();
    return withAbortableProgress({ location, title, cancellable: !request.background }, async (progress, signal) => {
      const started = Date.now();
      let percent = 0;
      const onProgress = (p: FetchProgress): void => {
        const now = p.totalBytes > 0 ? (100 * p.bytes) / p.totalBytes : p.totalMessages > 0 ? (100 * p.messages) / p.totalMessages : 0;
        const increment = Math.max(0, Math.min(100, now) - percent);
        percent += increment;
        progress.report({ message: progressText(p.messages, p.totalMessages, p.bytes), increment });
      };
      progress.report({ message: vscode.l10n.t('Connecting\u2026') });
      try {
        const store = await this.stores.get(account);
        const policy = this.accounts.policyOf(accountKey(account));
        const result = await login({
          account,
          store,
          retention: policy.retention,
          download: policy.download,
          signal,
          onProgress,
          trace: this.tracer(name, password),
          acceptNewUidls: request.acceptNewUidls === true,
          waitForStore: WAIT_FOR_OTHER_FETCH_MS,
          // Two windows opened together both start with a check: the one that waited for the other's does not repeat it.
          skipIfCheckedSince: request.background ? requested : undefined,
          onWaitForStore: () => progress.report({ message: vscode.l10n.t('Waiting for another window\u2026') }),
        });
        if (result.checkedElsewhere !== undefined) {
          this.log.info(`fetch ${name}: skipped, another window checked at ${new Date(result.checkedElsewhere).toISOString()}`);
          return result;
        }
        const extra = `${result.headersOnly ? `, ${result.headersOnly} headers only` : ''}${result.deleted ? `, ${result.deleted} deleted on the server` : ''}`;
        this.log.info(`fetch ${name}: ${result.downloaded} new (${formatBytes(result.bytes)}${extra}), ${result.onServer} on server, ${Date.now() - started} ms`);
        this.fetched.fire(account);
        return result;
      } catch (error) {
        const aborted = signal.aborted || Pop3Error.is(error, 'Aborted');
        this.log.info(`fetch ${name}: ${aborted ? 'cancelled' : 'failed'} after ${Date.now() - started} ms`);
        if (!aborted) this.log.error(`fetch ${name}: ${logError(error)}`);
        if (aborted && !Pop3Error.is(error, 'Aborted')) throw new Pop3Error('Aborted', 'Fetch cancelled', { cause: error });
        throw error;
      }
    }, runSignal);
  }

  /** The core's redacted trace at trace level; a leaked password would still be masked here. */
  tracer(name: string, password: string): (line: string) => void {
    return (line) => {
      if (this.log.logLevel !== vscode.LogLevel.Trace) return;
      const masked = password.length >= 3 ? line.split(password).join('[redacted]') : line;
      this.log.trace(`[${name}] ${displayLine(masked, 2000)}`);
    };
  }
}
