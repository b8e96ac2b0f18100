// OAuth accounts' sign-ins: the refresh token of each account in
// SecretStorage under a key of its own (never settings, globalState, files
// or a log line), or this session's memory when SecretStorage fails, as for
// passwords (passwords.ts). One OAuthSession per account and client
// configuration, so the access token is kept in memory between fetches.
import * as vscode from 'vscode';
import type { ClientConfig } from '../../oauth/flows';
import { OAuthSession, type RefreshTokenStore } from '../../oauth/session';
import { accountKey, type AccountConfig } from '../../sync/account';
import { displayLine } from '../common/surface-text';

export function refreshTokenKey(account: Pick<AccountConfig, 'user' | 'host' | 'port'>): string {
  return `pop3Mail.oauthRefreshToken/${accountKey(account)}`;
}

function reason(error: unknown): string {
  return displayLine(error instanceof Error ? error.message : String(error), 200);
}

export class OAuthSessions {
  private readonly memory = new Map<string, string>();
  private readonly sessions = new Map<string, { readonly signature: string; readonly session: OAuthSession }>();
  private warned = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The account's refresh token store (the RefreshTokenStore of the OAuth core). */
  storeFor(account: AccountConfig): RefreshTokenStore {
    const key = refreshTokenKey(account);
    const name = displayLine(account.name, 120);
    return {
      get: async () => {
        const inMemory = this.memory.get(key);
        if (inMemory !== undefined) return inMemory;
        try {
          return await this.secrets.get(key);
        } catch (error) {
          this.log.warn(`SecretStorage could not be read for ${name}: ${reason(error)}`);
          return undefined;
        }
      },
      set: async (token: string) => {
        try {
          await this.secrets.store(key, token);
          this.memory.delete(key);
        } catch (error) {
          this.memory.set(key, token);
          this.log.warn(`SecretStorage could not store the sign-in of ${name}: ${reason(error)}; keeping it in memory for this session`);
          if (!this.warned) {
            this.warned = true;
            void vscode.window.showWarningMessage(
              vscode.l10n.t('POP3 Mail: the system keychain (SecretStorage) is not available. The sign-in is kept in memory for this session only; you will be asked to sign in again next time.'),
            );
          }
        }
      },
      delete: async () => {
        this.memory.delete(key);
        try {
          await this.secrets.delete(key);
        } catch (error) {
          this.log.warn(`SecretStorage could not delete the sign-in of ${name}: ${reason(error)}`);
        }
      },
    };
  }

  /** The account's session; a changed client configuration (another client ID or provider) starts a new one. */
  sessionFor(account: AccountConfig, config: ClientConfig): OAuthSession {
    const key = accountKey(account);
    const signature = JSON.stringify([config.clientId, config.clientSecret ?? '', config.provider.endpoints, config.provider.scopes]);
    const known = this.sessions.get(key);
    if (known && known.signature === signature) return known.session;
    const session = new OAuthSession(config, this.storeFor(account));
    this.sessions.set(key, { signature, session });
    return session;
  }

  async hasSignIn(account: AccountConfig): Promise<boolean> {
    return (await this.storeFor(account).get()) !== undefined;
  }

  /** Moves a sign-in to the account's new key (Edit Account changed host, port or user of the same mailbox). */
  async move(from: AccountConfig, to: AccountConfig): Promise<void> {
    if (accountKey(from) === accountKey(to)) return;
    const token = await this.storeFor(from).get();
    if (token !== undefined) await this.storeFor(to).set(token);
    await this.forget(from);
  }

  /**
   * Forgets the account's sign-in here and, when a configuration is given
   * and the provider has a revocation endpoint, there too (best effort:
   * an unreachable provider must not keep the token alive here).
   */
  async forget(account: AccountConfig, config?: ClientConfig): Promise<void> {
    const key = accountKey(account);
    this.sessions.delete(key);
    if (config) {
      await new OAuthSession(config, this.storeFor(account)).signOut();
      return;
    }
    await this.storeFor(account).delete();
  }
}
