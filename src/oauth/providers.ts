// Where each OAuth 2 provider's endpoints are and what it allows. Pure data
// and validation: no I/O, no editor. The client ID is the user's own
// registration (README "Providers and OAuth2 sign-in"); a project cannot
// ship another project's registration.

export type OAuthProviderId = 'microsoft' | 'google' | 'custom';

export interface OAuthEndpoints {
  readonly authorization: string;
  readonly token: string;
  /** RFC 8628 device authorization endpoint; absent when the provider does not allow the device flow for this scope. */
  readonly device?: string;
  /** RFC 7009 revocation endpoint, when the provider has one. */
  readonly revocation?: string;
}

export interface OAuthProvider {
  readonly id: OAuthProviderId;
  readonly endpoints: OAuthEndpoints;
  readonly scopes: readonly string[];
  /** Extra parameters for the authorization request (e.g. Google's offline access for a refresh token). */
  readonly authorizationParams: Readonly<Record<string, string>>;
  /** The SASL mechanism its POP server takes. */
  readonly mechanism: 'xoauth2' | 'oauthbearer';
}

/** Microsoft's POP scope; offline_access is what yields a refresh token. */
export const MICROSOFT_SCOPES = ['https://outlook.office.com/POP.AccessAsUser.All', 'offline_access'] as const;
/** Google grants POP only with the full-mail scope, and not through the device flow. */
export const GOOGLE_SCOPES = ['https://mail.google.com/'] as const;

/**
 * Microsoft Entra ID (work or school accounts and, through `common` or
 * `consumers`, Outlook.com). `tenant` is `common`, `organizations`,
 * `consumers`, a tenant GUID or a verified domain.
 */
export function microsoft(tenant = 'common'): OAuthProvider {
  if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenant)) throw new Error(`The Microsoft tenant "${tenant}" is not a tenant name, ID or domain.`);
  const base = `https://login.microsoftonline.com/${tenant}/oauth2/v2.0`;
  return {
    id: 'microsoft',
    endpoints: { authorization: `${base}/authorize`, token: `${base}/token`, device: `${base}/devicecode` },
    scopes: [...MICROSOFT_SCOPES],
    authorizationParams: {},
    mechanism: 'xoauth2',
  };
}

export function google(): OAuthProvider {
  return {
    id: 'google',
    endpoints: {
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      revocation: 'https://oauth2.googleapis.com/revoke',
    },
    scopes: [...GOOGLE_SCOPES],
    // Without offline access and consent Google returns no refresh token the second time.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    mechanism: 'xoauth2',
  };
}

export interface CustomProviderInput {
  readonly authorization: string;
  readonly token: string;
  readonly device?: string;
  readonly revocation?: string;
  readonly scopes: readonly string[] | string;
  readonly mechanism?: 'xoauth2' | 'oauthbearer';
}

/**
 * Any other provider. Endpoints must be HTTPS, or plain HTTP on a loopback
 * address (a local test server): a token or code must never cross a network
 * in clear text. Throws with a message naming the bad field.
 */
export function custom(input: CustomProviderInput): OAuthProvider {
  const endpoints: OAuthEndpoints = {
    authorization: checkEndpoint('authorization', input.authorization),
    token: checkEndpoint('token', input.token),
    device: input.device ? checkEndpoint('device', input.device) : undefined,
    revocation: input.revocation ? checkEndpoint('revocation', input.revocation) : undefined,
  };
  const scopes = typeof input.scopes === 'string' ? input.scopes.split(' ').filter(Boolean) : [...input.scopes];
  for (const s of scopes) {
    // RFC 6749 3.3: scope tokens are printable ASCII without space, quote or backslash.
    if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,500}$/.test(s)) throw new Error(`The scope "${s}" is not a valid OAuth scope.`);
  }
  if (scopes.length === 0) throw new Error('A custom OAuth2 provider needs at least one scope.');
  return { id: 'custom', endpoints, scopes, authorizationParams: {}, mechanism: input.mechanism ?? 'xoauth2' };
}

export function checkEndpoint(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`The ${name} endpoint "${value}" is not a URL.`);
  }
  if (url.username || url.password) throw new Error(`The ${name} endpoint must not contain a user name or password.`);
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url.href;
  throw new Error(`The ${name} endpoint must use https:// (plain http only on 127.0.0.1 or [::1]): ${value}`);
}

export function isLoopback(hostname: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === '[::1]';
}
