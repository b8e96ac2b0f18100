import type { AuthMethod } from '../pop3/auth/types';

/** An OAuth 2 sign-in instead of a password: the provider whose tokens the server takes. */
export type OAuthLogin = 'microsoft' | 'google' | 'custom';

/** How to reach one POP3 account. Mirrors one entry of the `pop3Mail.accounts` setting (no password). */
export interface AccountConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly security: 'tls' | 'starttls';
  /** A PEM file trusted in addition to the system CAs. */
  readonly caFile?: string;
  /** How to log in; `auto` (the default) picks the strongest mechanism offered over TLS. */
  readonly auth?: AuthMethod;
  /** Signs in with OAuth 2 (the token comes from this provider); absent: a password. */
  readonly login?: OAuthLogin;
  /** SHA-256 fingerprint of a certificate the user chose to trust. */
  readonly pin?: string;
}

/** A file-system-safe, stable key for an account: its store folder name and secret key. */
export function accountKey(account: Pick<AccountConfig, 'user' | 'host' | 'port'>): string {
  const raw = `${account.user}@${account.host}:${account.port}`;
  return raw.replace(/[^A-Za-z0-9._@-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
