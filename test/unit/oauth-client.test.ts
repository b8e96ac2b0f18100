// The OAuth 2 client core (src/oauth) against the local mock authorization
// server (test/support/mock-oauth-server.ts): browser sign-in with PKCE over
// a loopback redirect, the device code grant, refresh before expiry and
// after a rejected token, revocation, and the presets' rules.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { refreshTokens, signInWithBrowser, signInWithDeviceCode, type ClientConfig } from '../../src/oauth/flows';
import { OAuthError } from '../../src/oauth/http';
import { custom, google, microsoft, type OAuthProvider } from '../../src/oauth/providers';
import { OAuthSession, SignInRequired, type RefreshTokenStore } from '../../src/oauth/session';
import { MockOAuthServer } from '../support/mock-oauth-server';

const BOUND = { timeout: 20_000 };
let mock: MockOAuthServer;
let provider: OAuthProvider;
let config: ClientConfig;

before(async () => {
  mock = await MockOAuthServer.start({ deviceInterval: 0 });
  provider = custom({ ...mock.endpoints, scopes: 'mail offline_access' });
  config = { provider, clientId: mock.clientId };
});
after(() => mock.close());

/** What a browser does with the authorization URL: follow the redirect to our loopback listener. */
async function browser(url: string, tamper?: (redirect: URL) => void): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  const target = new URL(res.headers.get('location')!);
  tamper?.(target);
  await (await fetch(target)).text();
}

function memoryStore(initial?: string): RefreshTokenStore & { value: string | undefined } {
  const s = {
    value: initial,
    get: async () => s.value,
    set: async (t: string) => {
      s.value = t;
    },
    delete: async () => {
      s.value = undefined;
    },
  };
  return s;
}

test('browser sign-in: PKCE S256, loopback redirect on 127.0.0.1, state checked, tokens that work', BOUND, async () => {
  let opened = '';
  const tokens = await signInWithBrowser(config, {
    loginHint: 'alice@example.com',
    openUrl: async (url) => {
      opened = url;
      await browser(url);
    },
  });
  const q = new URL(opened).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  assert.equal(q.get('scope'), 'mail offline_access');
  assert.equal(q.get('login_hint'), 'alice@example.com');
  const exchange = mock.requestsTo('/token').at(-1)!.form;
  assert.equal(exchange.get('grant_type'), 'authorization_code');
  assert.match(exchange.get('code_verifier')!, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(mock.isActive(tokens.accessToken));
  assert.ok(tokens.refreshToken && mock.hasRefreshToken(tokens.refreshToken));
});

test('a request with the wrong state does not end or steer the sign-in', BOUND, async () => {
  const tokens = await signInWithBrowser(config, {
    openUrl: async (url) => {
      const res = await fetch(url, { redirect: 'manual' });
      const target = new URL(res.headers.get('location')!);
      const forged = new URL(target);
      forged.searchParams.set('state', 'forged');
      forged.searchParams.set('code', 'attacker-code');
      assert.equal((await fetch(forged)).status, 404);
      await (await fetch(target)).text();
    },
  });
  assert.ok(mock.isActive(tokens.accessToken));
});

test('a declined sign-in is access_denied; a browser that never comes back times out', BOUND, async () => {
  mock.decision = 'deny';
  try {
    await assert.rejects(signInWithBrowser(config, { openUrl: (url) => browser(url) }), (e: OAuthError) => e.code === 'access_denied');
  } finally {
    mock.decision = 'approve';
  }
  await assert.rejects(signInWithBrowser(config, { openUrl: async () => undefined, timeoutMs: 200 }), (e: OAuthError) => e.code === 'expired');
});

test('the token endpoint refuses a code without the right verifier (the mock checks PKCE)', BOUND, async () => {
  // Drive the mock by hand: a stolen code without the verifier gets nothing.
  const redirect = 'http://127.0.0.1:9/callback';
  const auth = new URL(mock.endpoints.authorization);
  auth.search = new URLSearchParams({ response_type: 'code', client_id: mock.clientId, redirect_uri: redirect, state: 's', code_challenge: 'A'.repeat(43), code_challenge_method: 'S256' }).toString();
  const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
  const res = await fetch(mock.endpoints.token, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: mock.clientId, code_verifier: 'B'.repeat(43) }) });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
});

test('device code: shows the code, polls through authorization_pending and slow_down, gets tokens once approved', BOUND, async () => {
  // Its own server with a 1 s interval: the fake sleep returns at once, so the server sees polls too fast.
  const strict = await MockOAuthServer.start({ deviceInterval: 1 });
  const sleeps: number[] = [];
  let userCode = '';
  let polls = 0;
  const tokens = await signInWithDeviceCode({ provider: custom({ ...strict.endpoints, scopes: 'mail' }), clientId: strict.clientId }, {
    onCode: (c) => {
      userCode = c.userCode;
      assert.match(c.verificationUri, /\/activate$/);
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      if (++polls === 3) strict.decideDevice(userCode, 'approved');
    },
  });
  await strict.close();
  assert.ok(strict.isActive(tokens.accessToken));
  const grants = strict.requestsTo('/token').map((r) => r.form.get('grant_type'));
  assert.deepEqual(grants, Array(3).fill('urn:ietf:params:oauth:grant-type:device_code'));
  assert.deepEqual(sleeps, [1000, 1000, 6000], 'the server\'s interval, then 5 s more after slow_down');
});

test('device code denied is access_denied; a provider without device flow (Google for mail) says so', BOUND, async () => {
  let code = '';
  await assert.rejects(
    signInWithDeviceCode(config, {
      onCode: (c) => {
        code = c.userCode;
      },
      sleep: async () => mock.decideDevice(code, 'denied'),
    }),
    (e: OAuthError) => e.code === 'access_denied',
  );
  await assert.rejects(signInWithDeviceCode({ provider: google(), clientId: 'x' }, { onCode: () => undefined }), /does not allow the device code/);
});

async function signedIn(now: () => number): Promise<{ session: OAuthSession; store: ReturnType<typeof memoryStore> }> {
  const c = { ...config, now };
  const store = memoryStore();
  const session = new OAuthSession(c, store);
  await session.adopt(await signInWithBrowser(c, { openUrl: (url) => browser(url) }));
  return { session, store };
}

test('the access token is reused until shortly before expiry, then refreshed; the rotated refresh token is kept', BOUND, async () => {
  let t = Date.now();
  const { session, store } = await signedIn(() => t);
  const first = await session.accessToken();
  assert.equal(await session.accessToken(), first, 'no refresh while the token is fresh');
  const oldRefresh = store.value!;
  t += 3600_000 - 60_000; // a minute before expiry: inside the early-refresh window
  const second = await session.accessToken();
  assert.notEqual(second, first);
  assert.ok(mock.isActive(second));
  assert.notEqual(store.value, oldRefresh, 'the rotated refresh token replaced the old one');
  assert.ok(!mock.hasRefreshToken(oldRefresh));
});

test('a token the server rejects is refreshed once and the work retried; twice rejected is SignInRequired', BOUND, async () => {
  const { session } = await signedIn(Date.now);
  await session.accessToken();
  mock.expireAccessTokens();
  const used: string[] = [];
  const rejected = (e: unknown): boolean => e instanceof Error && e.message === 'rejected';
  const result = await session.withAccessToken(async (token) => {
    used.push(token);
    if (!mock.isActive(token)) throw new Error('rejected');
    return 'fetched';
  }, rejected);
  assert.equal(result, 'fetched');
  assert.equal(used.length, 2);
  await assert.rejects(
    session.withAccessToken(async () => {
      throw new Error('rejected');
    }, rejected),
    SignInRequired,
  );
});

test('a revoked refresh token: SignInRequired, and the useless token is forgotten', BOUND, async () => {
  let t = Date.now();
  const { session, store } = await signedIn(() => t);
  mock.revokeRefreshTokens();
  t += 7200_000;
  await assert.rejects(session.accessToken(), SignInRequired);
  assert.equal(store.value, undefined);
});

test('sign-out forgets the refresh token here and revokes it at the provider', BOUND, async () => {
  const { session, store } = await signedIn(Date.now);
  const refresh = store.value!;
  await session.signOut();
  assert.equal(store.value, undefined);
  assert.ok(!mock.hasRefreshToken(refresh));
  await assert.rejects(refreshTokens(config, refresh), (e: OAuthError) => e.code === 'invalid_grant');
});

test('presets and the custom provider rules', () => {
  const ms = microsoft();
  assert.deepEqual(ms.scopes, ['https://outlook.office.com/POP.AccessAsUser.All', 'offline_access']);
  assert.equal(ms.endpoints.token, 'https://login.microsoftonline.com/common/oauth2/v2.0/token');
  assert.equal(microsoft('contoso.onmicrosoft.com').endpoints.device, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode');
  assert.throws(() => microsoft('../evil'), /tenant/);
  const g = google();
  assert.deepEqual(g.scopes, ['https://mail.google.com/']);
  assert.equal(g.endpoints.device, undefined);
  assert.equal(g.authorizationParams['access_type'], 'offline');
  assert.throws(() => custom({ authorization: 'http://auth.example.com/a', token: 'https://x/t', scopes: 'a' }), /must use https/);
  assert.throws(() => custom({ authorization: 'https://u:p@x/a', token: 'https://x/t', scopes: 'a' }), /user name or password/);
  assert.throws(() => custom({ authorization: 'https://x/a', token: 'https://x/t', scopes: '' }), /at least one scope/);
  assert.throws(() => custom({ authorization: 'https://x/a', token: 'https://x/t', scopes: ['bad"scope'] }), /not a valid OAuth scope/);
  assert.equal(custom({ authorization: 'http://127.0.0.1:8/a', token: 'https://x/t', scopes: 'a b' }).scopes.length, 2);
});
