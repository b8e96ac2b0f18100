// A fetch for an account that signs in with OAuth 2: the session supplies
// the access token (refreshed before it expires), and a token the POP
// server rejects is refreshed once and the fetch run again. What the
// editor and any other caller use, so the rule lives in one place.
import { Pop3Error } from '../pop3/errors';
import { fetchMail, type FetchOptions, type FetchResult } from '../sync/fetch';
import type { OAuthSession } from './session';

/** Throws SignInRequired when only a new interactive sign-in can help. */
export function fetchWithSession(session: OAuthSession, options: Omit<FetchOptions, 'password' | 'token'>): Promise<FetchResult> {
  return session.withAccessToken(
    (token) => fetchMail({ ...options, token }),
    // Only the server's refusal of the login means the token: a refused
    // command later, a network error or a timeout does not.
    (err) => Pop3Error.is(err, 'AuthFailed'),
    options.signal,
  );
}
