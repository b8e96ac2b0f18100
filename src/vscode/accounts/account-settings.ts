// Validation of account fields, for the Add Account input boxes and for
// entries of the `pop3Mail.accounts` setting (which people edit by hand).
// Pure: no vscode import.
import { AUTH_METHODS, type AuthMethod } from '../../pop3/auth/types';
import type { AccountConfig, OAuthLogin } from '../../sync/account';
import type { DownloadPolicy, RetentionPolicy } from '../../sync/policy';
import { l10n } from '../common/l10n';

export const DEFAULT_TLS_PORT = 995;
export const DEFAULT_STARTTLS_PORT = 110;

/** The usual port for a security mode. */
export function defaultPort(security: 'tls' | 'starttls'): number {
  return security === 'tls' ? DEFAULT_TLS_PORT : DEFAULT_STARTTLS_PORT;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f]/;

/** The host without surrounding whitespace or IPv6 brackets. */
export function normalizeHost(input: string): string {
  const trimmed = input.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
}

/** An error message for a host name, or undefined when it is valid. */
export function hostProblem(input: string): string | undefined {
  const host = normalizeHost(input);
  if (host === '') return l10n.t('Enter the POP3 server host name, e.g. pop.example.com');
  if (HOST_NAME.test(host)) return undefined;
  if (host.includes(':') && IPV6.test(host)) return undefined;
  return l10n.t('Not a valid host name or IP address');
}

/** An error message for a port, or undefined when it is an integer in 1-65535. */
export function portProblem(input: string): string | undefined {
  const text = input.trim();
  if (!/^\d{1,5}$/.test(text)) return l10n.t('Enter a port number between 1 and 65535 (995 for POP3S)');
  const port = Number(text);
  return port >= 1 && port <= 65535 ? undefined : l10n.t('Enter a port number between 1 and 65535 (995 for POP3S)');
}

/** An error message for a user name, or undefined when it is valid. */
export function userProblem(input: string): string | undefined {
  if (input.trim() === '') return l10n.t('Enter the user name (often the full mail address)');
  if (CONTROLS.test(input)) return l10n.t('The user name must not contain control characters');
  if (input.length > 255) return l10n.t('The user name is too long');
  return undefined;
}

/** An error message for a password, or undefined when it can be sent (the core rejects CR, LF and NUL). */
export function passwordProblem(input: string): string | undefined {
  if (input === '') return l10n.t('Enter the password');
  if (/[\r\n\0]/.test(input)) return l10n.t('The password must not contain line breaks or NUL characters');
  if (input.length > 1024) return l10n.t('The password is too long');
  return undefined;
}

/** What stays on the server and what is downloaded, per account (setting fields, see package.json). */
export interface AccountPolicy {
  readonly retention: RetentionPolicy;
  readonly download: DownloadPolicy;
  /** This account's own automatic checks and notifications; the global settings where unset. */
  readonly checks?: CheckOverrides;
}

export interface CheckOverrides {
  /** Minutes between automatic checks, 0 for none (overrides pop3Mail.checkInterval). */
  readonly checkInterval?: number;
  /** Overrides pop3Mail.notifyNewMail. */
  readonly notifyNewMail?: boolean;
}

/** The longest check interval the settings take (a day), in minutes. */
export const MAX_CHECK_INTERVAL = 1440;

/** One valid entry of the setting: the connection and its policies. */
export interface AccountEntry {
  readonly account: AccountConfig;
  readonly policy: AccountPolicy;
}

/** An error message for a whole number of at least `min` (empty allowed when `optional`), or undefined. */
export function countProblem(input: string, what: string, min = 1, max = 1_000_000, optional = true): string | undefined {
  const text = input.trim();
  if (text === '' && optional) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) return optional ? l10n.t('Enter {0}: a whole number from {1} to {2}, or leave it empty', what, min, max) : l10n.t('Enter {0}: a whole number from {1} to {2}', what, min, max);
  return undefined;
}

export interface ParsedAccounts {
  readonly accounts: readonly AccountConfig[];
  /** The same accounts with their policies, in the same order. */
  readonly entries: readonly AccountEntry[];
  /** One line per skipped entry, for the log (no secrets: the setting holds none). */
  readonly problems: readonly string[];
}

/** 32 bytes as hex, with or without colons (as `openssl x509 -fingerprint -sha256` prints it). */
const SHA256_FINGERPRINT = /^(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31})$/;

/** The mechanisms that take a password; the OAuth ones go with a sign-in (the `login` field). */
export const SETTING_AUTH_METHODS: readonly AuthMethod[] = AUTH_METHODS.filter((m) => m !== 'xoauth2' && m !== 'oauthbearer');
/** The mechanisms that carry an access token; XOAUTH2 (what Microsoft and Google take) is the default. */
export const OAUTH_AUTH_METHODS = ['xoauth2', 'oauthbearer'] as const satisfies readonly AuthMethod[];
export const OAUTH_LOGINS: readonly OAuthLogin[] = ['microsoft', 'google', 'custom'];

function isAuthMethod(value: unknown): value is AuthMethod {
  return typeof value === 'string' && (SETTING_AUTH_METHODS as readonly string[]).includes(value);
}

function field(entry: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(entry, key) ? (entry as Record<string, unknown>)[key] : undefined;
}

function optionalCount(entry: object, key: string, max: number): number | undefined | string {
  const value = field(entry, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) return l10n.t('"{0}" must be a whole number from 1 to {1}', key, max);
  return value;
}

function optionalFlag(entry: object, key: string): boolean | undefined | string {
  const value = field(entry, key);
  if (value === undefined || typeof value === 'boolean') return value;
  return l10n.t('"{0}" must be true or false', key);
}

function parsePolicy(entry: object): AccountPolicy | string {
  const afterDownload = optionalFlag(entry, 'deleteAfterDownload');
  const deletedLocally = optionalFlag(entry, 'deleteWhenDeletedLocally');
  const days = optionalCount(entry, 'deleteAfterDays', 36_500);
  const sizeKb = optionalCount(entry, 'maxMessageSizeKB', 4_194_304);
  const newest = optionalCount(entry, 'newestOnFirstSync', 1_000_000);
  const notify = optionalFlag(entry, 'notifyNewMail');
  const interval = field(entry, 'checkInterval');
  if (interval !== undefined && (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0 || interval > MAX_CHECK_INTERVAL)) {
    return l10n.t('"{0}" must be a number of minutes from 0 to {1}', 'checkInterval', MAX_CHECK_INTERVAL);
  }
  for (const v of [afterDownload, deletedLocally, days, sizeKb, newest, notify]) if (typeof v === 'string') return v;
  const checks: CheckOverrides = {
    ...(typeof interval === 'number' ? { checkInterval: interval } : {}),
    ...(typeof notify === 'boolean' ? { notifyNewMail: notify } : {}),
  };
  return {
    ...(Object.keys(checks).length > 0 ? { checks } : {}),
    retention: {
      ...(afterDownload === true ? { deleteAfterDownload: true } : {}),
      ...(typeof days === 'number' ? { deleteAfterDays: days } : {}),
      ...(deletedLocally === true ? { deleteWhenDeletedLocally: true } : {}),
    },
    download: {
      ...(typeof sizeKb === 'number' ? { maxMessageSize: sizeKb * 1024 } : {}),
      ...(typeof newest === 'number' ? { newestOnFirstSync: newest } : {}),
    },
  };
}

function parseEntry(entry: unknown): AccountEntry | string {
  const account = parseConnection(entry);
  if (typeof account === 'string') return account;
  const policy = parsePolicy(entry as object);
  if (typeof policy === 'string') return policy;
  return { account, policy };
}

function parseConnection(entry: unknown): AccountConfig | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return l10n.t('not an object');
  const host = field(entry, 'host');
  const port = field(entry, 'port') ?? DEFAULT_TLS_PORT;
  const user = field(entry, 'user');
  const security = field(entry, 'security') ?? 'tls';
  const name = field(entry, 'name');
  const caFile = field(entry, 'caFile');
  const auth = field(entry, 'auth');
  const pin = field(entry, 'pin');
  const login = field(entry, 'login') ?? 'password';
  if (typeof host !== 'string' || hostProblem(host) !== undefined) return l10n.t('missing or invalid "host"');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return l10n.t('invalid "port"');
  if (typeof user !== 'string' || userProblem(user) !== undefined) return l10n.t('missing or invalid "user"');
  if (security !== 'tls' && security !== 'starttls') return l10n.t('"security" must be "tls" or "starttls"');
  if (name !== undefined && typeof name !== 'string') return l10n.t('"name" must be a string');
  if (caFile !== undefined && typeof caFile !== 'string') return l10n.t('"caFile" must be a string');
  if (login !== 'password' && !(OAUTH_LOGINS as readonly unknown[]).includes(login)) return l10n.t('"login" must be one of {0}', ['password', ...OAUTH_LOGINS].join(', '));
  const oauth = login === 'password' ? undefined : (login as OAuthLogin);
  if (oauth !== undefined) {
    if (auth !== undefined && !(OAUTH_AUTH_METHODS as readonly unknown[]).includes(auth)) return l10n.t('with "login": "{0}", "auth" must be one of {1}', oauth, OAUTH_AUTH_METHODS.join(', '));
  } else if (auth !== undefined && !isAuthMethod(auth)) return l10n.t('"auth" must be one of {0}', SETTING_AUTH_METHODS.join(', '));
  if (pin !== undefined && (typeof pin !== 'string' || !SHA256_FINGERPRINT.test(pin.trim()))) return l10n.t('"pin" must be a SHA-256 fingerprint (64 hex digits, colons allowed)');
  const cleanHost = normalizeHost(host);
  const account: AccountConfig = {
    name: typeof name === 'string' && name.trim() !== '' ? name.trim() : `${user}@${cleanHost}`,
    host: cleanHost,
    port,
    user,
    security,
    ...(typeof caFile === 'string' && caFile.trim() !== '' ? { caFile: caFile.trim() } : {}),
    ...(oauth !== undefined ? { login: oauth, auth: (auth as AuthMethod | undefined) ?? 'xoauth2' } : auth !== undefined ? { auth: auth as AuthMethod } : {}),
    ...(typeof pin === 'string' ? { pin: pin.trim() } : {}),
  };
  return account;
}

/** Parses the raw setting value; invalid entries are skipped and described in `problems`. */
export function parseAccounts(raw: unknown): ParsedAccounts {
  if (raw === undefined || raw === null) return { accounts: [], entries: [], problems: [] };
  if (!Array.isArray(raw)) return { accounts: [], entries: [], problems: [l10n.t('pop3Mail.accounts: not an array')] };
  const entries: AccountEntry[] = [];
  const problems: string[] = [];
  raw.forEach((entry: unknown, index) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') problems.push(l10n.t('pop3Mail.accounts[{0}] skipped: {1}', index, parsed));
    else entries.push(parsed);
  });
  return { accounts: entries.map((e) => e.account), entries, problems };
}

/** The setting entry for an account and its policies (the inverse of parseAccounts for one entry). */
export function toSettingEntry(account: AccountConfig, policy: AccountPolicy): Record<string, unknown> {
  const { retention, download } = policy;
  return {
    name: account.name,
    host: account.host,
    port: account.port,
    user: account.user,
    security: account.security,
    ...(account.caFile !== undefined ? { caFile: account.caFile } : {}),
    ...(account.login !== undefined ? { login: account.login } : {}),
    ...(account.auth !== undefined && account.auth !== 'auto' && !(account.login !== undefined && account.auth === 'xoauth2') ? { auth: account.auth } : {}),
    ...(account.pin !== undefined ? { pin: account.pin } : {}),
    ...(retention.deleteAfterDownload ? { deleteAfterDownload: true } : {}),
    ...(retention.deleteAfterDays !== undefined ? { deleteAfterDays: retention.deleteAfterDays } : {}),
    ...(retention.deleteWhenDeletedLocally ? { deleteWhenDeletedLocally: true } : {}),
    ...(download.maxMessageSize !== undefined ? { maxMessageSizeKB: Math.max(1, Math.round(download.maxMessageSize / 1024)) } : {}),
    ...(download.newestOnFirstSync !== undefined ? { newestOnFirstSync: download.newestOnFirstSync } : {}),
    ...(policy.checks?.checkInterval !== undefined ? { checkInterval: policy.checks.checkInterval } : {}),
    ...(policy.checks?.notifyNewMail !== undefined ? { notifyNewMail: policy.checks.notifyNewMail } : {}),
  };
}

/** One line saying what the policy does with server mail, for prompts and tooltips. */
export function describeRetention(retention: RetentionPolicy): string {
  const parts: string[] = [];
  if (retention.deleteAfterDownload) parts.push(l10n.t('deleted from the server after download'));
  if (retention.deleteAfterDays !== undefined) parts.push(l10n.t('deleted from the server {0} days after download', retention.deleteAfterDays));
  if (retention.deleteWhenDeletedLocally) parts.push(l10n.t('deleted from the server when deleted here'));
  return parts.length === 0 ? l10n.t('left on the server') : parts.join('; ');
}
