// The redirect target of a native app's sign-in (RFC 8252 7.3): an HTTP
// listener on 127.0.0.1 on a port the system picks, for one redirect only.
// It accepts only the callback path with the expected state, answers the
// browser with a short page, and closes.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthError } from './http';

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback`, for the authorization request. */
  readonly redirectUri: string;
  /** The authorization code, once the browser comes back with it and the right state. */
  readonly code: Promise<string>;
  close(): void;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

/** Starts the listener. `timeoutMs` bounds the wait for the browser. */
export async function listenForRedirect(state: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LoopbackRedirect> {
  let settle!: { resolve: (code: string) => void; reject: (err: OAuthError) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined); // the caller awaits it; an early close must not be an unhandled rejection
  let done = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Only the callback with our state counts: a stray request (favicon, a
    // page on the same machine probing ports) must neither end nor steer the sign-in.
    if (req.method !== 'GET' || url.pathname !== '/callback' || url.searchParams.get('state') !== state || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const error = url.searchParams.get('error');
    const got = url.searchParams.get('code');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    if (error !== null || !got) {
      res.end(PAGE('Sign-in failed', 'The provider did not sign you in. Return to the editor.'));
      finish(error === 'access_denied' ? new OAuthError('access_denied', 'The sign-in was declined in the browser.') : new OAuthError('protocol', `The provider ended the sign-in with ${(error ?? 'no code').replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}.`));
    } else {
      res.end(PAGE('Signed in', 'You can close this window and return to the editor.'));
      finish(got);
    }
  });
  const finish = (result: string | OAuthError): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (typeof result === 'string') settle.resolve(result);
    else settle.reject(result);
    server.close();
    server.closeIdleConnections();
  };
  const onAbort = (): void => finish(new OAuthError('cancelled', 'Sign-in was cancelled.'));
  const timer = setTimeout(() => finish(new OAuthError('expired', 'No answer came back from the browser in time; sign in again.')), options.timeoutMs ?? 300_000);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${port}/callback`, code, close: () => finish(new OAuthError('cancelled', 'Sign-in was cancelled.')) };
}
