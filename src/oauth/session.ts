// One account's OAuth 2 sign-in over time: the refresh token in a secret
// store, the access token in memory, refreshed shortly before it expires
// and once more when the server rejects it. When nothing but a new sign-in
// helps, a SignInRequired error says so (the editor shows one notification).
import { refreshTokens, revokeToken, type ClientConfig } from './flows';
import { OAuthError, type TokenSet } from './http';

/** Where the refresh token lives (the editor's SecretStorage); never settings or logs. */
export interface RefreshTokenStore {
  get(): Promise<string | undefined>;
  set(token: string): Promise<void>;
  delete(): Promise<void>;
}

export class SignInRequired extends Error {
  override readonly name = 'SignInRequired';
}

/** Refresh this long before the access token expires, so a fetch never starts with a token about to lapse. */
const EARLY_REFRESH_MS = 5 * 60_000;

export class OAuthSession {
  private current: TokenSet | undefined;
  private refreshing: Promise<TokenSet> | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly store: RefreshTokenStore,
  ) {}

  /** Keeps the result of an interactive sign-in. */
  async adopt(tokens: TokenSet): Promise<void> {
    if (!tokens.refreshToken) throw new OAuthError('protocol', 'The provider gave no refresh token; the sign-in would last only an hour. Check that offline access is allowed.');
    await this.store.set(tokens.refreshToken);
    this.current = tokens;
  }

  /** A valid access token, refreshed first when it expires within a few minutes. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    const now = (this.config.now ?? Date.now)();
    if (this.current && this.current.expiresAt - EARLY_REFRESH_MS > now) return this.current.accessToken;
    return (await this.refresh(signal)).accessToken;
  }

  /**
   * Runs `use` with an access token; when `isRejected` says the server
   * refused the token, refreshes once and tries once more. A second
   * rejection, or a refresh the provider refuses, is SignInRequired.
   */
  async withAccessToken<T>(use: (token: string) => Promise<T>, isRejected: (err: unknown) => boolean, signal?: AbortSignal): Promise<T> {
    const first = await this.accessToken(signal);
    try {
      return await use(first);
    } catch (err) {
      if (!isRejected(err)) throw err;
    }
    this.current = undefined;
    const second = await this.accessToken(signal);
    try {
      return await use(second);
    } catch (err) {
      if (isRejected(err)) throw new SignInRequired('The server still rejects the access token after a refresh; sign in again.', { cause: err });
      throw err;
    }
  }

  /** Forgets the sign-in here and, where the provider allows, there too. */
  async signOut(): Promise<void> {
    const refresh = await this.store.get();
    this.current = undefined;
    await this.store.delete();
    if (refresh) await revokeToken(this.config, refresh);
  }

  private refresh(signal?: AbortSignal): Promise<TokenSet> {
    // Concurrent callers share one refresh: providers rotate refresh tokens, so two would race.
    this.refreshing ??= this.doRefresh(signal).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(signal?: AbortSignal): Promise<TokenSet> {
    const refresh = await this.store.get();
    if (!refresh) throw new SignInRequired('Not signed in; sign in to this account.');
    let tokens: TokenSet;
    try {
      tokens = await refreshTokens(this.config, refresh, signal);
    } catch (err) {
      if (err instanceof OAuthError && err.needsSignIn) {
        await this.store.delete(); // useless now; a new sign-in replaces it
        throw new SignInRequired(`${err.message}`, { cause: err });
      }
      throw err;
    }
    if (tokens.refreshToken && tokens.refreshToken !== refresh) await this.store.set(tokens.refreshToken);
    this.current = tokens;
    return tokens;
  }
}
