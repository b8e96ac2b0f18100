// Talking to token endpoints: a form POST (RFC 6749 section 3.2) and strict
// reading of the JSON that comes back. The fetch function is injectable so
// tests can point at a local server; the default is the platform's fetch.

export type FetchFn = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number;
  text(): Promise<string>;
}>;

export type OAuthErrorCode =
  /** The grant (code, refresh token, device code) is no longer valid: the user must sign in again. */
  | 'invalid_grant'
  | 'access_denied'
  /** The device code or the wait for the browser ran out. */
  | 'expired'
  | 'invalid_client'
  /** The provider's answer broke the protocol. */
  | 'protocol'
  | 'network'
  | 'cancelled';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Nothing but a new interactive sign-in helps. */
  get needsSignIn(): boolean {
    return this.code === 'invalid_grant' || this.code === 'access_denied' || this.code === 'expired';
  }
}

export interface TokenSet {
  readonly accessToken: string;
  /** When the access token expires (ms since the epoch). */
  readonly expiresAt: number;
  readonly refreshToken?: string;
  readonly scope?: string;
}

/** A token endpoint's answer is small; a bigger one is not an answer. */
const MAX_RESPONSE = 256 * 1024;
/** When the provider does not say, assume an hour (the common default). */
const DEFAULT_LIFETIME_S = 3600;

/** POSTs a form and returns the parsed JSON object with the HTTP status. */
export async function postForm(fetchFn: FetchFn, url: string, form: Record<string, string | undefined>, signal?: AbortSignal): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  let status: number;
  let text: string;
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      signal,
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (signal?.aborted) throw new OAuthError('cancelled', 'Sign-in was cancelled.', { cause: err });
    throw new OAuthError('network', `Cannot reach ${new URL(url).host}: ${(err as Error).message}`, { cause: err });
  }
  if (text.length > MAX_RESPONSE) throw new OAuthError('protocol', `${new URL(url).host} sent an oversized answer.`);
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new OAuthError('protocol', `${new URL(url).host} answered with something other than JSON (HTTP ${status}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new OAuthError('protocol', `${new URL(url).host} answered with unexpected JSON.`);
  return { status, json: json as Record<string, unknown> };
}

/** The `error` of an OAuth error answer (RFC 6749 5.2), printable and bounded, or undefined. */
export function errorOf(json: Record<string, unknown>): string | undefined {
  const e = json['error'];
  return typeof e === 'string' ? e.replace(/[^\x20-\x7e]/g, '?').slice(0, 100) : undefined;
}

/** Turns an error answer into an OAuthError with a message a user can act on. */
export function tokenError(error: string | undefined, status: number, what: string): OAuthError {
  switch (error) {
    case 'invalid_grant':
      return new OAuthError('invalid_grant', `The provider no longer accepts the ${what}; sign in again.`);
    case 'access_denied':
      return new OAuthError('access_denied', 'The sign-in was declined.');
    case 'expired_token':
      return new OAuthError('expired', 'The sign-in code expired before it was approved; sign in again.');
    case 'invalid_client':
    case 'unauthorized_client':
      return new OAuthError('invalid_client', `The provider does not accept this client ID (${error}); check the app registration and the client ID setting.`);
    default:
      return new OAuthError('protocol', `The provider refused the ${what} (${error ?? `HTTP ${status}`}).`);
  }
}

/** Reads a successful token answer (RFC 6749 5.1). */
export function readTokenSet(json: Record<string, unknown>, now: number, previousRefresh?: string): TokenSet {
  const accessToken = json['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '' || /[\s\0]/.test(accessToken)) {
    throw new OAuthError('protocol', 'The provider sent no usable access token.');
  }
  const type = json['token_type'];
  if (typeof type === 'string' && type.toLowerCase() !== 'bearer') throw new OAuthError('protocol', `The provider sent a ${type.slice(0, 20)} token, not a bearer token.`);
  const lifetime = typeof json['expires_in'] === 'number' && json['expires_in'] > 0 ? json['expires_in'] : Number(json['expires_in']) || DEFAULT_LIFETIME_S;
  const refresh = json['refresh_token'];
  return {
    accessToken,
    expiresAt: now + lifetime * 1000,
    // A refresh answer without a new refresh token means the old one stays valid (RFC 6749 6).
    refreshToken: typeof refresh === 'string' && refresh !== '' ? refresh : previousRefresh,
    scope: typeof json['scope'] === 'string' ? json['scope'] : undefined,
  };
}
