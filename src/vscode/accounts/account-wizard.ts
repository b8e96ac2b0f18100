// Add / Edit Account as one multi-step QuickInput with Back buttons:
//   1 host, 2 security, 3 port, 4 user, 5 password, 6 extra CA file,
//   7 options (a summary page: display name, login method, what stays on
//     the server, size limit, newest-N on first sync) whose first item
//     tests the connection and saves.
// The e2e tests type into these steps by their "(n/7)" titles.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { AuthMethod } from '../../pop3/auth/types';
import { Pop3Client } from '../../pop3/client';
import { connectOptions } from '../../sync/connect';
import { CertificateError } from '../../pop3/transport';
import type { AccountConfig } from '../../sync/account';
import type { DownloadPolicy, RetentionPolicy } from '../../sync/policy';
import {
  countProblem,
  defaultPort,
  describeRetention,
  hostProblem,
  normalizeHost,
  passwordProblem,
  portProblem,
  SETTING_AUTH_METHODS,
  userProblem,
  type AccountEntry,
  type AccountPolicy,
  type CheckOverrides,
} from './account-settings';
import { describeError } from '../common/errors';
import { withAbortableProgress } from '../common/progress';
import { resolveUserPath } from '../common/prompts';
import { BACK, CANCEL, inputStep, pickStep, type PickItem, type StepResult } from '../common/quick-steps';
import { forLabel, forModal, forNotification, forPrompt, forQuickPick } from '../common/surface-text';
import { formatBytes } from '../common/text';

export const WIZARD_STEPS = 7;

interface Draft {
  name?: string;
  host: string;
  security: 'tls' | 'starttls';
  port: string;
  user: string;
  password: string;
  caFile: string;
  auth: AuthMethod;
  pin?: string;
  retention: RetentionPolicy;
  download: DownloadPolicy;
  /** Kept as they are: the wizard does not ask for them (the setting does). */
  checks?: CheckOverrides;
}

export interface WizardResult {
  readonly account: AccountConfig;
  readonly policy: AccountPolicy;
  /** undefined: keep the stored password (editing). */
  readonly password: string | undefined;
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

/** How a login method is shown (read at each use: the translations load with the extension). */
function authLabel(method: string): string {
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
});

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
 * password may stay empty to keep it). Returns undefined when cancelled.
 */
export async function accountWizard(existing?: AccountEntry, stored?: string): Promise<WizardResult | undefined> {
  const editing = existing !== undefined;
  const hasPassword = stored !== undefined;
  const title = (n: number): string => (editing ? vscode.l10n.t('Edit POP3 Account ({0}/{1})', n, WIZARD_STEPS) : vscode.l10n.t('Add POP3 Account ({0}/{1})', n, WIZARD_STEPS));
  const a = existing?.account;
  const draft: Draft = {
    // A name that is just the default follows a changed user or host.
    name: a && a.name !== defaultName(a) ? a.name : undefined,
    host: a?.host ?? '',
    security: a?.security ?? 'tls',
    port: a ? String(a.port) : '',
    user: a?.user ?? '',
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
        r = await inputStep({ title: title(1), prompt: vscode.l10n.t('Host: the POP3 server'), placeholder: 'pop.example.com', value: draft.host, canGoBack: false, validate: hostProblem });
        if (typeof r === 'string') draft.host = normalizeHost(r);
        break;
      case 2:
        r = await pickStep<'tls' | 'starttls'>({
          title: title(2),
          placeholder: vscode.l10n.t('How is the connection protected?'),
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
      case 3:
        r = await inputStep({
          title: title(3),
          prompt: draft.security === 'tls' ? vscode.l10n.t('Port ({0} is usual for POP3 over TLS)', defaultPort(draft.security)) : vscode.l10n.t('Port ({0} is usual for STARTTLS)', defaultPort(draft.security)),
          value: draft.port || String(defaultPort(draft.security)),
          canGoBack: true,
          validate: portProblem,
        });
        if (typeof r === 'string') draft.port = r.trim();
        break;
      case 4:
        r = await inputStep({ title: title(4), prompt: vscode.l10n.t('User name (often the full mail address)'), placeholder: 'alice@example.com', value: draft.user, canGoBack: true, validate: userProblem });
        if (typeof r === 'string') draft.user = r;
        break;
      case 5:
        r = await inputStep({
          title: title(5),
          prompt: editing && hasPassword ? vscode.l10n.t('Password for {0} (kept in the system keychain via SecretStorage). Leave empty to keep the stored one.', forPrompt(draft.user, 120)) : vscode.l10n.t('Password for {0} (kept in the system keychain via SecretStorage)', forPrompt(draft.user, 120)),
          password: true,
          value: draft.password,
          canGoBack: true,
          validate: (v) => (v === '' && editing && hasPassword ? undefined : passwordProblem(v)),
        });
        if (typeof r === 'string') draft.password = r;
        break;
      case 6:
        r = await inputStep({
          title: title(6),
          prompt: vscode.l10n.t('Extra trusted CA certificate (PEM file, optional)'),
          placeholder: vscode.l10n.t('Leave empty to trust the system certificate authorities only'),
          value: draft.caFile,
          canGoBack: true,
          validate: caFileProblem,
        });
        if (typeof r === 'string') draft.caFile = r.trim();
        break;
      default: {
        const choice = await pickStep<OptionChoice>({ title: title(7), placeholder: vscode.l10n.t('Press Enter to test the connection and save, or change an option'), canGoBack: true, items: optionItems(draft, editing) });
        if (choice === BACK || choice === CANCEL) {
          r = choice;
          break;
        }
        if (choice === 'save') return finish(draft, editing, stored);
        const changed = await editOption(choice, draft, title(7));
        if (changed === CANCEL) return undefined;
        continue;
      }
    }
    if (r === CANCEL) return undefined;
    if (r === BACK) step = Math.max(1, step - 1);
    else step++;
  }
}

function optionItems(d: Draft, editing: boolean): PickItem<OptionChoice>[] {
  const size = d.download.maxMessageSize;
  const newest = d.download.newestOnFirstSync;
  return [
    { label: `$(check) ${editing ? vscode.l10n.t('Test the Connection and Save') : vscode.l10n.t('Test the Connection and Add the Account')}`, value: 'save' },
    { label: vscode.l10n.t('Display name'), description: d.name !== undefined ? forQuickPick(d.name, 120) : vscode.l10n.t('{0} (the default)', forQuickPick(defaultName(d), 120)), value: 'name' },
    { label: vscode.l10n.t('Log in with'), description: authLabel(d.auth), value: 'auth', kind: vscode.QuickPickItemKind.Default },
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
        items: SETTING_AUTH_METHODS.map((m) => ({ label: authLabel(m), value: m })),
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
    ...(d.auth !== 'auto' ? { auth: d.auth } : {}),
    ...(d.pin !== undefined ? { pin: d.pin } : {}),
  };
  return { account, policy: { retention: d.retention, download, ...(d.checks ? { checks: d.checks } : {}) }, password: d.password === '' ? undefined : d.password };
}

/** Tests the connection (and the login, when there is a password); on failure offers what can be done. */
async function finish(d: Draft, editing: boolean, stored: string | undefined): Promise<WizardResult | undefined> {
  for (;;) {
    const result = toResult(d);
    const password = result.password ?? stored;
    const problem = password === undefined ? undefined : await testConnection(result.account, password);
    if (problem === undefined) return result;
    const { error } = problem;
    const items: PickItem<'trust' | 'save' | 'edit' | 'cancel'>[] = [];
    const fingerprint = error instanceof CertificateError ? error.certificate?.fingerprint256 : undefined;
    if (fingerprint) items.push({ label: `$(shield) ${vscode.l10n.t('Trust This Certificate...')}`, detail: `SHA-256 ${fingerprint}`, value: 'trust' });
    items.push(
      { label: `$(arrow-left) ${vscode.l10n.t('Change the Settings')}`, value: 'edit' },
      { label: `$(save) ${editing ? vscode.l10n.t('Save Anyway') : vscode.l10n.t('Add Anyway')}`, detail: vscode.l10n.t('Keep the settings as they are; fetching will fail until the problem is fixed.'), value: 'save' },
      { label: vscode.l10n.t('Cancel'), value: 'cancel' },
    );
    const choice = await pickStep({ title: vscode.l10n.t('Connection test failed: {0}', forLabel(describeError('', error).replace(/^: /, ''), 150)), placeholder: vscode.l10n.t('What now?'), canGoBack: false, items });
    if (choice === 'save') return result;
    if (choice === 'trust' && fingerprint) {
      if (await confirmTrust(d.host, fingerprint, error instanceof CertificateError ? error.certificate?.subject : undefined)) d.pin = fingerprint;
      continue;
    }
    if (choice === 'edit') {
      return accountWizardFrom(d, stored);
    }
    return undefined;
  }
}

/** Re-enters the wizard with the draft's values (after a failed test). */
async function accountWizardFrom(d: Draft, stored: string | undefined): Promise<WizardResult | undefined> {
  const entry: AccountEntry = { account: toResult(d).account, policy: { retention: d.retention, download: d.download } };
  // The password typed before counts as stored: leaving it empty keeps it.
  const r = await accountWizard(entry, d.password !== '' ? d.password : stored);
  if (r && r.password === undefined && d.password !== '') return { ...r, password: d.password };
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

/** Connects, logs in and quits; the error when that fails. */
export async function testConnection(account: AccountConfig, password: string): Promise<{ error: unknown } | undefined> {
  return withAbortableProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('POP3 Mail: testing {0}:{1}', forNotification(account.host, 120), account.port), cancellable: true },
    async (_p, signal) => {
      try {
        const client = await Pop3Client.connect(connectOptions(account, { signal }));
        try {
          await client.authenticate({ user: account.user, password }, account.auth ?? 'auto');
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
