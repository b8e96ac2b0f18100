// Add / Edit Account as one multi-step QuickInput with Back buttons:
//   1 e-mail address (looks the server settings up), 2 host, 3 security,
//   4 port, 5 user, 6 login method (password or an OAuth sign-in),
//   7 password (password logins only), 8 extra CA file,
//   9 options (a summary page: display name, SASL mechanism, what stays on
//     the server, size limit, newest-N on first sync) whose first item
//     signs in if needed, tests the connection and saves.
// The e2e tests type into these steps by their "(n/9)" titles.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { AuthMethod } from '../../pop3/auth/types';
import type { TokenSet } from '../../oauth/http';
import { CertificateError } from '../../pop3/transport';
import type { AccountConfig } from '../../sync/account';
import type { DownloadPolicy, RetentionPolicy } from '../../sync/policy';
import {
  countProblem,
  defaultPort,
  describeRetention,
  hostProblem,
  normalizeHost,
  OAUTH_AUTH_METHODS,
  passwordProblem,
  portProblem,
  SETTING_AUTH_METHODS,
  userProblem,
  type AccountEntry,
  type AccountPolicy,
} from './account-settings';
import { describeError } from '../common/errors';
import { resolveUserPath } from '../common/prompts';
import { BACK, CANCEL, inputStep, pickStep, type PickItem, type StepResult } from '../common/quick-steps';
import { forLabel, forModal, forPrompt, forQuickPick } from '../common/surface-text';
import { formatBytes } from '../common/text';
import { loginLabel } from './oauth-config';
import { addressStep, authLabel, foundIn, loginStep, openSetupGuide, signInAndTest, testConnection, type CurrentToken, type Draft, type OAuthProblem } from './account-wizard-steps';

export const WIZARD_STEPS = 9;
const PASSWORD_STEP = 7;

export interface WizardResult {
  readonly account: AccountConfig;
  readonly policy: AccountPolicy;
  /** undefined: keep the stored password (editing), or an OAuth login. */
  readonly password: string | undefined;
  /** A new sign-in of an OAuth login (its refresh token is to be stored). */
  readonly tokens?: TokenSet;
}

async function caFileProblem(input: string): Promise<string | undefined> {
  if (input.trim() === '') return undefined;
  try {
    const stat = await fs.stat(resolveUserPath(input));
    return stat.isFile() ? undefined : vscode.l10n.t('Not a file');
  } catch {
    return vscode.l10n.t('No such file');
  }
}

type Retention = 'leave' | 'afterDays' | 'deletedLocally' | 'afterDownload';

function retentionKind(r: RetentionPolicy): Retention {
  if (r.deleteAfterDownload) return 'afterDownload';
  if (r.deleteAfterDays !== undefined) return 'afterDays';
  if (r.deleteWhenDeletedLocally) return 'deletedLocally';
  return 'leave';
}

type OptionChoice = 'save' | 'name' | 'auth' | 'retention' | 'size' | 'newest';

/** The name the tree shows when none is set. */
const defaultName = (d: Pick<Draft, 'user' | 'host'>): string => `${d.user}@${d.host}`;

/**
 * Runs the wizard. `existing` edits an account (fields prefilled, the
 * password may stay empty to keep it; `current` gives the token of its
 * sign-in). Returns undefined when cancelled.
 */
export async function accountWizard(existing?: AccountEntry, stored?: string, current?: CurrentToken): Promise<WizardResult | undefined> {
  const editing = existing !== undefined;
  const hasPassword = stored !== undefined;
  const title = (n: number): string => (editing ? vscode.l10n.t('Edit POP3 Account ({0}/{1})', n, WIZARD_STEPS) : vscode.l10n.t('Add POP3 Account ({0}/{1})', n, WIZARD_STEPS));
  const a = existing?.account;
  // Editing: the address is the user name when it is one; it is not looked up again unless changed.
  const address = a && a.user.includes('@') ? a.user : '';
  const draft: Draft = {
    address,
    discoveredFor: address,
    sources: {},
    // A name that is just the default follows a changed user or host.
    name: a && a.name !== defaultName(a) ? a.name : undefined,
    host: a?.host ?? '',
    security: a?.security ?? 'tls',
    port: a ? String(a.port) : '',
    user: a?.user ?? '',
    login: a?.login ?? 'password',
    password: '',
    caFile: a?.caFile ?? '',
    auth: a?.auth ?? 'auto',
    pin: a?.pin,
    retention: existing?.policy.retention ?? {},
    download: existing?.policy.download ?? {},
    checks: existing?.policy.checks,
  };
  let step = 1;
  for (;;) {
    let r: StepResult<unknown>;
    switch (step) {
      case 1:
        r = await addressStep(title(1), draft);
        break;
      case 2:
        r = await inputStep({ title: title(2), prompt: vscode.l10n.t('Host: the POP3 server{0}', foundIn(draft, 'host')), placeholder: 'pop.example.com', value: draft.host, canGoBack: true, validate: hostProblem });
        if (typeof r === 'string') draft.host = normalizeHost(r);
        break;
      case 3:
        r = await pickStep<'tls' | 'starttls'>({
          title: title(3),
          placeholder: vscode.l10n.t('How is the connection protected?{0}', foundIn(draft, 'security', forLabel)),
          canGoBack: true,
          active: draft.security,
          items: [
            { label: 'TLS (POP3S)', description: vscode.l10n.t('port 995, recommended'), detail: vscode.l10n.t('Encrypted from the first byte.'), value: 'tls' },
            { label: 'STARTTLS (STLS)', description: vscode.l10n.t('port 110'), detail: vscode.l10n.t('A plain connection upgraded before logging in; the fetch fails rather than send the password unencrypted.'), value: 'starttls' },
          ],
        });
        if (r === 'tls' || r === 'starttls') {
          // A port the user never changed follows the security choice.
          if (draft.port === '' || draft.port === String(defaultPort(draft.security))) draft.port = String(defaultPort(r));
          draft.security = r;
        }
        break;
      case 4:
        r = await inputStep({
          title: title(4),
          prompt: (draft.security === 'tls' ? vscode.l10n.t('Port ({0} is usual for POP3 over TLS)', defaultPort(draft.security)) : vscode.l10n.t('Port ({0} is usual for STARTTLS)', defaultPort(draft.security))) + foundIn(draft, 'port'),
          value: draft.port || String(defaultPort(draft.security)),
          canGoBack: true,
          validate: portProblem,
        });
        if (typeof r === 'string') draft.port = r.trim();
        break;
      case 5:
        r = await inputStep({ title: title(5), prompt: vscode.l10n.t('User name (often the full mail address){0}', foundIn(draft, 'user')), placeholder: 'alice@example.com', value: draft.user, canGoBack: true, validate: userProblem });
        if (typeof r === 'string') draft.user = r;
        break;
      case 6:
        r = await loginStep(title(6), draft);
        break;
      case PASSWORD_STEP:
        r = await inputStep({
          title: title(PASSWORD_STEP),
          prompt: editing && hasPassword ? vscode.l10n.t('Password for {0} (kept in the system keychain via SecretStorage). Leave empty to keep the stored one.', forPrompt(draft.user, 120)) : vscode.l10n.t('Password for {0} (kept in the system keychain via SecretStorage)', forPrompt(draft.user, 120)),
          password: true,
          value: draft.password,
          canGoBack: true,
          validate: (v) => (v === '' && editing && hasPassword ? undefined : passwordProblem(v)),
        });
        if (typeof r === 'string') draft.password = r;
        break;
      case 8:
        r = await inputStep({
          title: title(8),
          prompt: vscode.l10n.t('Extra trusted CA certificate (PEM file, optional)'),
          placeholder: vscode.l10n.t('Leave empty to trust the system certificate authorities only'),
          value: draft.caFile,
          canGoBack: true,
          validate: caFileProblem,
        });
        if (typeof r === 'string') draft.caFile = r.trim();
        break;
      default: {
        const choice = await pickStep<OptionChoice>({ title: title(WIZARD_STEPS), placeholder: vscode.l10n.t('Press Enter to test the connection and save, or change an option'), canGoBack: true, items: optionItems(draft, editing) });
        if (choice === BACK || choice === CANCEL) {
          r = choice;
          break;
        }
        if (choice === 'save') return finish(draft, editing, stored, current);
        const changed = await editOption(choice, draft, title(WIZARD_STEPS));
        if (changed === CANCEL) return undefined;
        continue;
      }
    }
    if (r === CANCEL) return undefined;
    if (r === BACK) step = Math.max(1, step - 1);
    else step++;
    // An OAuth login has no password.
    if (step === PASSWORD_STEP && draft.login !== 'password') step += r === BACK ? -1 : 1;
  }
}

function optionItems(d: Draft, editing: boolean): PickItem<OptionChoice>[] {
  const size = d.download.maxMessageSize;
  const newest = d.download.newestOnFirstSync;
  return [
    { label: `$(check) ${editing ? vscode.l10n.t('Test the Connection and Save') : vscode.l10n.t('Test the Connection and Add the Account')}`, value: 'save' },
    { label: vscode.l10n.t('Display name'), description: d.name !== undefined ? forQuickPick(d.name, 120) : vscode.l10n.t('{0} (the default)', forQuickPick(defaultName(d), 120)), value: 'name' },
    { label: vscode.l10n.t('Log in with'), description: d.login === 'password' ? authLabel(d.auth) : `${loginLabel(d.login)}, ${authLabel(d.auth)}`, value: 'auth', kind: vscode.QuickPickItemKind.Default },
    { label: vscode.l10n.t('Mail on the server'), description: describeRetention(d.retention), value: 'retention' },
    { label: vscode.l10n.t('Size limit'), description: size === undefined ? vscode.l10n.t('none: download every message in full') : vscode.l10n.t('larger than {0}: headers only', formatBytes(size)), value: 'size' },
    { label: vscode.l10n.t('First fetch'), description: newest === undefined ? vscode.l10n.t('all messages') : vscode.l10n.t('the newest {0} messages only', newest), value: 'newest' },
  ];
}

/** One option's sub-step; back or a valid answer returns to the options page. */
async function editOption(choice: Exclude<OptionChoice, 'save'>, d: Draft, title: string): Promise<void | typeof CANCEL> {
  switch (choice) {
    case 'name': {
      const r = await inputStep({ title, prompt: vscode.l10n.t('Display name in the Inbox (empty: {0})', forPrompt(defaultName(d), 120)), value: d.name ?? '', canGoBack: true });
      if (r === CANCEL) return CANCEL;
      if (r !== BACK) d.name = r.trim() === '' ? undefined : r.trim();
      return;
    }
    case 'auth': {
      const r = await pickStep<AuthMethod>({
        title,
        placeholder: vscode.l10n.t('How to log in'),
        canGoBack: true,
        active: d.auth,
        items: (d.login === 'password' ? SETTING_AUTH_METHODS : OAUTH_AUTH_METHODS).map((m) => ({ label: authLabel(m), value: m })),
      });
      if (r === CANCEL) return CANCEL;
      if (r !== BACK) d.auth = r;
      return;
    }
    case 'retention': {
      const r = await pickStep<Retention>({
        title,
        placeholder: vscode.l10n.t('What happens to mail on the server after it is downloaded?'),
        canGoBack: true,
        active: retentionKind(d.retention),
        items: [
          { label: vscode.l10n.t('Leave it on the server'), detail: vscode.l10n.t('Nothing is ever deleted on the server.'), value: 'leave' },
          { label: vscode.l10n.t('Delete it after some days'), detail: vscode.l10n.t('Deleted on the server a number of days after it was downloaded.'), value: 'afterDays' },
          { label: vscode.l10n.t('Delete it when I delete it here'), detail: vscode.l10n.t('Deleting a message in the Inbox deletes it on the server too.'), value: 'deletedLocally' },
          { label: vscode.l10n.t('Delete it right after download'), detail: vscode.l10n.t('The server keeps nothing once it is safely stored here.'), value: 'afterDownload' },
        ],
      });
      if (r === CANCEL) return CANCEL;
      if (r === BACK) return;
      if (r === 'afterDays') {
        const days = await inputStep({
          title,
          prompt: vscode.l10n.t('Delete from the server this many days after download'),
          value: String(d.retention.deleteAfterDays ?? 14),
          canGoBack: true,
          validate: (v) => countProblem(v, vscode.l10n.t('the number of days'), 1, 36_500, false),
        });
        if (days === CANCEL) return CANCEL;
        if (days === BACK) return;
        d.retention = { deleteAfterDays: Number(days.trim()) };
      } else {
        d.retention = r === 'leave' ? {} : r === 'deletedLocally' ? { deleteWhenDeletedLocally: true } : { deleteAfterDownload: true };
      }
      return;
    }
    case 'size': {
      const r = await inputStep({
        title,
        prompt: vscode.l10n.t('Store only the headers of messages larger than this many KB (empty: no limit). "Download Full Message" gets the rest later.'),
        value: d.download.maxMessageSize === undefined ? '' : String(Math.round(d.download.maxMessageSize / 1024)),
        canGoBack: true,
        validate: (v) => countProblem(v, vscode.l10n.t('a size in KB'), 1, 4_194_304),
      });
      if (r === CANCEL) return CANCEL;
      if (r !== BACK) d.download = { ...d.download, maxMessageSize: r.trim() === '' ? undefined : Number(r.trim()) * 1024 };
      return;
    }
    case 'newest': {
      const r = await inputStep({
        title,
        prompt: vscode.l10n.t('On the first fetch, download only the newest N messages (empty: all)'),
        value: d.download.newestOnFirstSync === undefined ? '' : String(d.download.newestOnFirstSync),
        canGoBack: true,
        validate: (v) => countProblem(v, vscode.l10n.t('a number of messages')),
      });
      if (r === CANCEL) return CANCEL;
      if (r !== BACK) d.download = { ...d.download, newestOnFirstSync: r.trim() === '' ? undefined : Number(r.trim()) };
      return;
    }
  }
}

function toResult(d: Draft): WizardResult {
  const port = Number(d.port);
  const download: DownloadPolicy = {
    ...(d.download.maxMessageSize !== undefined ? { maxMessageSize: d.download.maxMessageSize } : {}),
    ...(d.download.newestOnFirstSync !== undefined ? { newestOnFirstSync: d.download.newestOnFirstSync } : {}),
  };
  const account: AccountConfig = {
    name: d.name && d.name.trim() !== '' ? d.name : defaultName(d),
    host: d.host,
    port,
    user: d.user,
    security: d.security,
    ...(d.caFile !== '' ? { caFile: resolveUserPath(d.caFile) } : {}),
    ...(d.login !== 'password' ? { login: d.login } : {}),
    ...(d.auth !== 'auto' ? { auth: d.auth } : {}),
    ...(d.pin !== undefined ? { pin: d.pin } : {}),
  };
  return { account, policy: { retention: d.retention, download, ...(d.checks ? { checks: d.checks } : {}) }, password: d.password === '' || d.login !== 'password' ? undefined : d.password };
}

/**
 * Tests the connection (and the login, when there is a password or, for an
 * OAuth login, after signing in); on failure offers what can be done.
 */
async function finish(d: Draft, editing: boolean, stored: string | undefined, current: CurrentToken | undefined): Promise<WizardResult | undefined> {
  let tokens: TokenSet | undefined;
  for (;;) {
    const result = toResult(d);
    let problem: OAuthProblem | undefined;
    const { account } = result;
    if (account.login === undefined) {
      const password = result.password ?? stored;
      problem = password === undefined ? undefined : await testConnection(account, { password });
    } else {
      const attempt = await signInAndTest({ ...account, login: account.login }, tokens, editing ? current : undefined, testConnection);
      tokens = attempt.tokens ?? tokens;
      problem = attempt.problem;
    }
    if (problem === undefined) return { ...result, tokens };
    const { error } = problem;
    const items: PickItem<'trust' | 'retry' | 'settings' | 'guide' | 'save' | 'edit' | 'cancel'>[] = [];
    const fingerprint = error instanceof CertificateError ? error.certificate?.fingerprint256 : undefined;
    if (fingerprint) items.push({ label: `$(shield) ${vscode.l10n.t('Trust This Certificate...')}`, detail: `SHA-256 ${fingerprint}`, value: 'trust' });
    if (account.login !== undefined) items.push({ label: `$(refresh) ${vscode.l10n.t('Try Again')}`, value: 'retry' });
    if (problem.setting) {
      items.push(
        { label: `$(settings-gear) ${vscode.l10n.t('Open Settings')}`, detail: problem.setting, value: 'settings' },
        { label: `$(book) ${vscode.l10n.t('Open the Setup Guide')}`, detail: vscode.l10n.t('README: registering an app and its client ID'), value: 'guide' },
      );
    }
    items.push(
      { label: `$(arrow-left) ${vscode.l10n.t('Change the Settings')}`, value: 'edit' },
      { label: `$(save) ${editing ? vscode.l10n.t('Save Anyway') : vscode.l10n.t('Add Anyway')}`, detail: vscode.l10n.t('Keep the settings as they are; fetching will fail until the problem is fixed.'), value: 'save' },
      { label: vscode.l10n.t('Cancel'), value: 'cancel' },
    );
    const what = account.login === undefined ? vscode.l10n.t('Connection test failed: {0}', forLabel(describeError('', error).replace(/^: /, ''), 150)) : vscode.l10n.t('Sign-in or connection test failed: {0}', forLabel(describeError('', error).replace(/^: /, ''), 150));
    const choice = await pickStep({ title: what, placeholder: vscode.l10n.t('What now?'), canGoBack: false, items });
    if (choice === 'save') return { ...result, tokens };
    if (choice === 'retry') continue;
    if (choice === 'settings' && problem.setting) {
      await vscode.commands.executeCommand('workbench.action.openSettings', problem.setting);
      continue;
    }
    if (choice === 'guide') {
      await openSetupGuide();
      continue;
    }
    if (choice === 'trust' && fingerprint) {
      if (await confirmTrust(d.host, fingerprint, error instanceof CertificateError ? error.certificate?.subject : undefined)) d.pin = fingerprint;
      continue;
    }
    if (choice === 'edit') {
      const again = await accountWizardFrom(d, stored, current);
      // A sign-in already made stays valid for the same provider.
      return again && tokens && again.tokens === undefined && again.account.login === account.login ? { ...again, tokens } : again;
    }
    return undefined;
  }
}

/** Re-enters the wizard with the draft's values (after a failed test). */
async function accountWizardFrom(d: Draft, stored: string | undefined, current: CurrentToken | undefined): Promise<WizardResult | undefined> {
  const entry: AccountEntry = { account: toResult(d).account, policy: { retention: d.retention, download: d.download } };
  // The password typed before counts as stored: leaving it empty keeps it.
  const r = await accountWizard(entry, d.password !== '' ? d.password : stored, current);
  if (r && r.password === undefined && d.password !== '' && r.account.login === undefined) return { ...r, password: d.password };
  return r;
}

/** The modal that shows the SHA-256 fingerprint before anything is pinned (T06). */
export async function confirmTrust(host: string, fingerprint: string, subject?: string): Promise<boolean> {
  const trust = vscode.l10n.t('Trust This Certificate');
  const compare = vscode.l10n.t('Compare it with the fingerprint your mail provider publishes. Once trusted, only this exact certificate is accepted for this account.');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Trust the certificate of {0}?', forModal(host, 120)),
    {
      modal: true,
      detail: subject
        ? vscode.l10n.t('The server presented a certificate that is not trusted by the system.\n\nSHA-256 fingerprint:\n{0}\n\nSubject: {1}\n\n{2}', fingerprint, forModal(subject, 200), compare)
        : vscode.l10n.t('The server presented a certificate that is not trusted by the system.\n\nSHA-256 fingerprint:\n{0}\n\n{1}', fingerprint, compare),
    },
    trust,
  );
  return choice === trust;
}
