// The wizard's steps about who the user is and how they log in: the e-mail
// address (whose domain fills the server settings through discover()), the
// login method, and for an OAuth login the sign-in and connection test
// before the account is saved. The wizard itself is account-wizard.ts.
import * as vscode from 'vscode';
import { Pop3Client } from '../../pop3/client';
import { connectOptions } from '../../sync/connect';
import { discover, mailDomain, type DiscoveredSettings, type DiscoveryResult } from '../../autoconfig/discover';
import type { AuthMethod } from '../../pop3/auth/types';
import type { ClientConfig } from '../../oauth/flows';
import type { TokenSet } from '../../oauth/http';
import type { AccountConfig } from '../../sync/account';
import type { DownloadPolicy, RetentionPolicy } from '../../sync/policy';
import { setting } from '../common/config';
import { withAbortableProgress } from '../common/progress';
import { inputStep, pickStep, type PickItem, type StepResult } from '../common/quick-steps';
import { forNotification, forPrompt, forQuickPick } from '../common/surface-text';
import { clientConfigFor, loginLabel, proposedLogin, README_REGISTRATION, type LoginMethod } from './oauth-config';
import { interactiveSignIn } from './sign-in';
import type { CheckOverrides } from './account-settings';

export interface Draft {
  address: string;
  /** The address the settings were last looked up for (a changed address looks them up again). */
  discoveredFor: string;
  /** Where discovered values came from, shown next to them. */
  sources: Partial<Record<keyof DiscoveredSettings, string>>;
  /** The login discovery proposed, marked in the login step. */
  proposed?: LoginMethod;
  name?: string;
  host: string;
  security: 'tls' | 'starttls';
  port: string;
  user: string;
  login: LoginMethod;
  password: string;
  caFile: string;
  auth: AuthMethod;
  pin?: string;
  retention: RetentionPolicy;
  download: DownloadPolicy;
  /** Kept as they are: the wizard does not ask for them (the setting does). */
  checks?: CheckOverrides;
}

/** " (found in: …)" after a prompt, when discovery filled the field; `surface` escapes it for where it is shown. */
export function foundIn(d: Draft, field: keyof DiscoveredSettings, surface: (text: string, max: number) => string = forPrompt): string {
  const source = d.sources[field];
  return source ? vscode.l10n.t(' (found in: {0})', surface(source, 160)) : '';
}

function addressProblem(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  try {
    mailDomain(value.trim());
    return undefined;
  } catch {
    return vscode.l10n.t('Not an e-mail address (or leave it empty to enter the server yourself)');
  }
}

/** Step 1: the address; a new one looks the settings up. */
export async function addressStep(title: string, d: Draft): Promise<StepResult<string>> {
  const r = await inputStep({
    title,
    prompt: vscode.l10n.t('Your e-mail address: the server settings are looked up from it (leave empty to enter them yourself)'),
    placeholder: 'alice@example.com',
    value: d.address,
    canGoBack: false,
    validate: addressProblem,
  });
  if (typeof r !== 'string') return r;
  d.address = r.trim();
  if (d.address !== '' && d.address !== d.discoveredFor) await applyDiscovery(d);
  return r;
}

async function applyDiscovery(d: Draft): Promise<void> {
  const { domain } = mailDomain(d.address);
  const address = d.address;
  const found = await withAbortableProgress<DiscoveryResult | undefined>(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('POP3 Mail: looking up the settings for {0}', forNotification(domain, 120)), cancellable: true },
    (_p, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => resolve(undefined), { once: true });
        discover(address).then(resolve, () => resolve(undefined));
      }),
  );
  d.discoveredFor = address;
  if (!found) return; // cancelled: the user enters the settings
  if (found.settings) {
    const s = found.settings;
    d.host = s.host;
    d.port = String(s.port);
    d.security = s.security;
    d.user = s.user;
    d.sources = found.sources;
    d.proposed = proposedLogin(s);
    setLogin(d, d.proposed);
  } else {
    d.sources = {};
    d.proposed = undefined;
    if (d.user === '') d.user = address;
  }
  // The notes are ours (presets); a refused candidate names what the network sent.
  const lines = [...found.notes, ...found.refused].map((n) => forNotification(n, 300));
  if (found.noPop) void vscode.window.showWarningMessage(vscode.l10n.t('POP3 Mail: {0}', lines.join(' ')));
  else if (lines.length > 0) void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: {0}', lines.join(' ')));
}

/** Sets the login and keeps the SASL mechanism one that fits it. */
export function setLogin(d: Draft, login: LoginMethod): void {
  const oauthMechanism = d.auth === 'xoauth2' || d.auth === 'oauthbearer';
  if (login === 'password' && oauthMechanism) d.auth = 'auto';
  if (login !== 'password' && !oauthMechanism) d.auth = 'xoauth2';
  d.login = login;
}

/** The login method step. */
export async function loginStep(title: string, d: Draft): Promise<StepResult<LoginMethod>> {
  const suggested = (m: LoginMethod): string | undefined => (d.proposed === m ? vscode.l10n.t('suggested for this address{0}', foundIn(d, 'login', forQuickPick)) : undefined);
  const items: PickItem<LoginMethod>[] = [
    { label: `$(key) ${loginLabel('password')}`, description: suggested('password'), detail: vscode.l10n.t('A password or app password, kept in the system keychain.'), value: 'password' },
    { label: `$(account) ${loginLabel('microsoft')}`, description: suggested('microsoft'), detail: vscode.l10n.t('Microsoft 365 and Outlook.com. Needs your app registration\'s client ID (setting pop3Mail.oauth.microsoft.clientId).'), value: 'microsoft' },
    { label: `$(account) ${loginLabel('google')}`, description: suggested('google'), detail: vscode.l10n.t('Gmail and Google Workspace. Needs your client ID (setting pop3Mail.oauth.google.clientId).'), value: 'google' },
    { label: `$(gear) ${loginLabel('custom')}`, description: suggested('custom'), detail: vscode.l10n.t('Another provider whose POP server takes OAuth 2 tokens (settings pop3Mail.oauth.custom.*).'), value: 'custom' },
  ];
  const r = await pickStep<LoginMethod>({ title, placeholder: vscode.l10n.t('How do you log in to {0}?', forQuickPick(d.host, 120)), items, active: d.login, canGoBack: true });
  if (r === 'password' || r === 'microsoft' || r === 'google' || r === 'custom') setLogin(d, r);
  return r;
}

/** The settings or the README part a failed OAuth preparation points to. */
export interface OAuthProblem {
  readonly error: unknown;
  readonly setting?: string;
}

export interface OAuthAttempt {
  readonly tokens?: TokenSet;
  readonly problem?: OAuthProblem;
}

/** The sign-in of the account being edited, when it has one that still works. */
export type CurrentToken = (account: AccountConfig, config: ClientConfig) => Promise<string | undefined>;

/**
 * Signs in (unless `tokens` or the edited account's sign-in give a token)
 * and tests the connection with the access token. Cancelling the sign-in
 * is a problem too: the user decides what then.
 */
export async function signInAndTest(
  account: AccountConfig & { readonly login: NonNullable<AccountConfig['login']> },
  tokens: TokenSet | undefined,
  current: CurrentToken | undefined,
  test: (account: AccountConfig, credentials: { readonly token: string }) => Promise<{ error: unknown } | undefined>,
): Promise<OAuthAttempt> {
  const made = clientConfigFor(account.login, (key) => setting(key));
  if ('problem' in made) return { problem: { error: new Error(made.problem), setting: `pop3Mail.${made.setting}` } };
  let token = tokens?.accessToken ?? (await current?.(account, made.config).catch(() => undefined));
  let got = tokens;
  if (token === undefined) {
    try {
      got = await interactiveSignIn(made.config, { account: account.name, loginHint: account.user.includes('@') ? account.user : undefined });
    } catch (error) {
      return { problem: { error } };
    }
    if (!got) return { problem: { error: new Error(vscode.l10n.t('The sign-in was cancelled; the account has no sign-in yet.')) } };
    token = got.accessToken;
  }
  const failed = await test(account, { token });
  return { tokens: got, problem: failed };
}

/** Opens the extension's README at app registration (the setup guide for the client IDs). */
export async function openSetupGuide(): Promise<void> {
  const self = vscode.extensions.all.find((e) => e.packageJSON?.name === 'pop3-mail' && e.packageJSON?.publisher === 'pop3-mail');
  if (!self) return;
  const [file, fragment] = README_REGISTRATION.split('#');
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(self.extensionUri, file!).with({ fragment }));
}

/** How a login method is shown (read at each use: the translations load with the extension). */
export function authLabel(method: string): string {
  return AUTH_LABELS()[method] ?? method;
}

const AUTH_LABELS = (): Record<string, string> => ({
  auto: vscode.l10n.t('Automatic (recommended): the strongest method the server offers over TLS'),
  user: 'USER/PASS',
  plain: 'SASL PLAIN',
  login: 'SASL LOGIN',
  'cram-md5': 'SASL CRAM-MD5',
  'scram-sha-1': 'SASL SCRAM-SHA-1',
  'scram-sha-256': 'SASL SCRAM-SHA-256',
  apop: vscode.l10n.t('APOP (weak; only for old servers)'),
  xoauth2: vscode.l10n.t('SASL XOAUTH2 (recommended; what Microsoft and Google take)'),
  oauthbearer: 'SASL OAUTHBEARER (RFC 7628)',
});

/** Connects, logs in and quits; the error when that fails. */
export async function testConnection(account: AccountConfig, credentials: { readonly password?: string; readonly token?: string }): Promise<{ error: unknown } | undefined> {
  return withAbortableProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('POP3 Mail: testing {0}:{1}', forNotification(account.host, 120), account.port), cancellable: true },
    async (_p, signal) => {
      try {
        const client = await Pop3Client.connect(connectOptions(account, { signal }));
        try {
          await client.authenticate({ user: account.user, ...credentials }, account.auth ?? 'auto');
          await client.quit();
        } finally {
          client.close();
        }
        return undefined;
      } catch (error) {
        return { error };
      }
    },
  );
}
