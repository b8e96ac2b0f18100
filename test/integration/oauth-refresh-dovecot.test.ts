// An OAuth 2 account over time against a real Dovecot (oauth2 passdb) and
// the mock authorization server: sign in, fetch; the access token expires
// at the server, the session refreshes it and the fetch goes through;
// the refresh token is revoked, the fetch ends as SignInRequired with the
// store intact; a new sign-in fetches again, nothing twice.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { signInWithBrowser, type ClientConfig } from '../../src/oauth/flows';
import { fetchWithSession } from '../../src/oauth/fetch-with-session';
import { custom } from '../../src/oauth/providers';
import { OAuthSession, SignInRequired } from '../../src/oauth/session';
import { MailStore } from '../../src/store/store';
import type { AccountConfig } from '../../src/sync/account';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { MockOAuthServer } from '../support/mock-oauth-server';

let dovecot: Dovecot;
let auth: MockOAuthServer;
let work: string;
let config: ClientConfig;

before(async () => {
  auth = await MockOAuthServer.start({ user: 'alice' });
  dovecot = await startDovecot({ mechanisms: ['plain'], oauth2IntrospectionUrl: auth.endpoints.introspection });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-oauth-refresh-'));
  config = { provider: custom({ ...auth.endpoints, scopes: 'mail offline_access' }), clientId: auth.clientId };
});

after(async () => {
  await dovecot?.stop();
  await auth?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function browser(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'manual' });
  await (await fetch(res.headers.get('location')!)).text();
}

function memoryStore(): { value?: string; get(): Promise<string | undefined>; set(t: string): Promise<void>; delete(): Promise<void> } {
  const s: { value?: string; get(): Promise<string | undefined>; set(t: string): Promise<void>; delete(): Promise<void> } = {
    get: async () => s.value,
    set: async (t) => {
      s.value = t;
    },
    delete: async () => {
      s.value = undefined;
    },
  };
  return s;
}

test('sign in, fetch; expiry: silent refresh, fetch; revoked: SignInRequired, nothing lost; sign in again, nothing twice', async () => {
  const account: AccountConfig = { name: 'oauth', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile, auth: 'xoauth2' };
  const storeDir = path.join(work, 'store');
  const run = async (session: OAuthSession) => {
    const store = await MailStore.open(storeDir);
    try {
      return await fetchWithSession(session, { account, store });
    } finally {
      store.close();
    }
  };
  const count = async (): Promise<number> => {
    const store = await MailStore.open(storeDir);
    const n = store.list().length;
    store.close();
    return n;
  };

  const secrets = memoryStore();
  const session = new OAuthSession(config, secrets);
  await session.adopt(await signInWithBrowser(config, { openUrl: browser }));
  dovecot.deliver('alice', 'Subject: one\r\n\r\n1\r\n', 'm1');
  assert.equal((await run(session)).downloaded, 1);

  // The server stops accepting the token before the session thinks it expired: the rejection path.
  auth.expireAccessTokens();
  dovecot.deliver('alice', 'Subject: two\r\n\r\n2\r\n', 'm2');
  const refreshesBefore = auth.requestsTo('/token').filter((r) => r.form.get('grant_type') === 'refresh_token').length;
  assert.equal((await run(session)).downloaded, 1);
  const refreshes = auth.requestsTo('/token').filter((r) => r.form.get('grant_type') === 'refresh_token').length - refreshesBefore;
  assert.equal(refreshes, 1, 'one silent refresh');

  auth.revokeRefreshTokens();
  auth.expireAccessTokens();
  dovecot.deliver('alice', 'Subject: three\r\n\r\n3\r\n', 'm3');
  await assert.rejects(run(session), SignInRequired);
  assert.equal(await count(), 2, 'the stored mail is untouched');
  assert.equal(secrets.value, undefined, 'the dead refresh token is forgotten');

  await session.adopt(await signInWithBrowser(config, { openUrl: browser }));
  const again = await run(session);
  assert.equal(again.downloaded, 1, 'only the new message');
  assert.equal(await count(), 3);
});
