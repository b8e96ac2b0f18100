// The OAuth 2 grants a mail client needs: authorization code with PKCE over
// a loopback redirect (RFC 6749 4.1, RFC 7636, RFC 8252), the device
// authorization grant (RFC 8628), refresh (RFC 6749 6) and revocation
// (RFC 7009). No editor here: the caller opens URLs and shows codes.
import { errorOf, OAuthError, postForm, readTokenSet, tokenError, type FetchFn, type TokenSet } from './http';
import { listenForRedirect } from './loopback';
import { createPkce, randomState } from './pkce';
import type { OAuthProvider } from './providers';

export interface ClientConfig {
  readonly provider: OAuthProvider;
  readonly clientId: string;
  /** Google's installed-app secret: not a secret by design, but its token endpoint wants it. */
  readonly clientSecret?: string;
  readonly fetch?: FetchFn;
  readonly now?: () => number;
}

const fetchOf = (c: ClientConfig): FetchFn => c.fetch ?? (globalThis.fetch as unknown as FetchFn);
const nowOf = (c: ClientConfig): number => (c.now ?? Date.now)();

export interface AuthorizationCodeOptions {
  /** Opens the authorization URL in the user's browser (the editor's openExternal). */
  readonly openUrl: (url: string) => Promise<boolean | void>;
  /** Pre-fills the account in the provider's sign-in page. */
  readonly loginHint?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /**
   * The redirect URI as the browser reaches the listener, when that is not
   * the listener's own address (a remote editor forwards the port). Sent in
   * both the authorization and the token request, as RFC 6749 4.1.3 requires.
   */
  readonly externalRedirectUri?: (local: string) => Promise<string>;
}

/** Authorization code with PKCE and a loopback redirect: the browser sign-in. */
export async function signInWithBrowser(config: ClientConfig, options: AuthorizationCodeOptions): Promise<TokenSet> {
  const pkce = createPkce();
  const state = randomState();
  const redirect = await listenForRedirect(state, { timeoutMs: options.timeoutMs, signal: options.signal });
  try {
    const redirectUri = options.externalRedirectUri ? await options.externalRedirectUri(redirect.redirectUri) : redirect.redirectUri;
    const url = new URL(config.provider.endpoints.authorization);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: redirectUri,
      scope: config.provider.scopes.join(' '),
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      ...config.provider.authorizationParams,
    };
    if (options.loginHint) params['login_hint'] = options.loginHint;
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if ((await options.openUrl(url.toString())) === false) throw new OAuthError('cancelled', 'The browser could not be opened for the sign-in.');
    const code = await redirect.code;
    const { status, json } = await postForm(
      fetchOf(config),
      config.provider.endpoints.token,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: config.clientId,
        client_secret: config.clientSecret,
        code_verifier: pkce.verifier,
      },
      options.signal,
    );
    if (status !== 200) throw tokenError(errorOf(json), status, 'sign-in code');
    return readTokenSet(json, nowOf(config));
  } finally {
    redirect.close();
  }
}

export interface DeviceCode {
  readonly userCode: string;
  readonly verificationUri: string;
  /** The URI with the code filled in, when the provider gives one. */
  readonly verificationUriComplete?: string;
  readonly expiresAt: number;
}

export interface DeviceFlowOptions {
  /** Shows the code and where to enter it; called once before polling starts. */
  readonly onCode: (code: DeviceCode) => void | Promise<void>;
  readonly signal?: AbortSignal;
  /** Waits between polls (tests pass a fast one). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** RFC 8628 5.2: without an interval, poll every 5 s; slow_down adds 5 s. */
const DEFAULT_INTERVAL_S = 5;
const SLOW_DOWN_S = 5;

/** The device authorization grant: for editors with no loopback to the browser (remote, web). */
export async function signInWithDeviceCode(config: ClientConfig, options: DeviceFlowOptions): Promise<TokenSet> {
  const endpoint = config.provider.endpoints.device;
  if (!endpoint) throw new OAuthError('protocol', 'This provider does not allow the device code sign-in for mail; use the browser sign-in.');
  const fetchFn = fetchOf(config);
  const sleep = options.sleep ?? defaultSleep;
  const start = await postForm(fetchFn, endpoint, { client_id: config.clientId, client_secret: config.clientSecret, scope: config.provider.scopes.join(' ') }, options.signal);
  if (start.status !== 200) throw tokenError(errorOf(start.json), start.status, 'device sign-in request');
  const j = start.json;
  const deviceCode = j['device_code'];
  const userCode = j['user_code'];
  // Google calls it verification_url.
  const verificationUri = j['verification_uri'] ?? j['verification_url'];
  if (typeof deviceCode !== 'string' || typeof userCode !== 'string' || typeof verificationUri !== 'string') {
    throw new OAuthError('protocol', 'The provider sent an incomplete device code answer.');
  }
  const expiresIn = typeof j['expires_in'] === 'number' && j['expires_in'] > 0 ? Math.min(j['expires_in'], 3600) : 900;
  let interval = typeof j['interval'] === 'number' && j['interval'] >= 0 ? Math.min(j['interval'], 60) : DEFAULT_INTERVAL_S;
  const expiresAt = nowOf(config) + expiresIn * 1000;
  const complete = j['verification_uri_complete'];
  await options.onCode({ userCode: userCode.slice(0, 100), verificationUri, verificationUriComplete: typeof complete === 'string' ? complete : undefined, expiresAt });
  // Bounded by the code's lifetime; each round waits at least the interval.
  for (;;) {
    await sleep(interval * 1000, options.signal);
    if (options.signal?.aborted) throw new OAuthError('cancelled', 'Sign-in was cancelled.');
    if (nowOf(config) > expiresAt) throw new OAuthError('expired', 'The sign-in code expired before it was approved; sign in again.');
    const { status, json } = await postForm(
      fetchFn,
      config.provider.endpoints.token,
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, client_id: config.clientId, client_secret: config.clientSecret },
      options.signal,
    );
    if (status === 200) return readTokenSet(json, nowOf(config));
    const error = errorOf(json);
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      interval += SLOW_DOWN_S;
      continue;
    }
    throw tokenError(error, status, 'device code');
  }
}

/** Exchanges the refresh token for a new access token (and maybe a new refresh token). */
export async function refreshTokens(config: ClientConfig, refreshToken: string, signal?: AbortSignal): Promise<TokenSet> {
  const { status, json } = await postForm(
    fetchOf(config),
    config.provider.endpoints.token,
    { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: config.clientId, client_secret: config.clientSecret, scope: config.provider.scopes.join(' ') },
    signal,
  );
  if (status !== 200) throw tokenError(errorOf(json), status, 'saved sign-in');
  return readTokenSet(json, nowOf(config), refreshToken);
}

/** Asks the provider to forget a token (RFC 7009); providers without the endpoint are skipped. Never throws. */
export async function revokeToken(config: ClientConfig, token: string): Promise<boolean> {
  const endpoint = config.provider.endpoints.revocation;
  if (!endpoint) return false;
  try {
    const { status } = await postForm(fetchOf(config), endpoint, { token, token_type_hint: 'refresh_token', client_id: config.clientId, client_secret: config.clientSecret });
    return status === 200;
  } catch {
    return false; // forgetting it locally is what counts; the provider may be unreachable
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
