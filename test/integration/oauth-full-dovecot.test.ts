// "Download Full Message" for an account that signs in with OAuth 2: the
// message stored headers-only (over the size limit) is completed with the
// session's access token against a real Dovecot (oauth2 passdb asking the
// mock authorization server), and a token the server no longer accepts is
// refreshed once, as for a fetch.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { signInWithDeviceCode, type ClientConfig } from '../../src/oauth/flows';
import { fetchWithSession } from '../../src/oauth/fetch-with-session';
import { custom } from '../../src/oauth/providers';
import { OAuthSession } from '../../src/oauth/session';
import { Pop3Error } from '../../src/pop3/errors';
import { MailStore } from '../../src/store/store';
import type { AccountConfig } from '../../src/sync/account';
import { downloadFull } from '../../src/sync/full';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { MockOAuthServer } from '../support/mock-oauth-server';

let dovecot: Dovecot;
let auth: MockOAuthServer;
let work: string;
let config: ClientConfig;

before(async () => {
  auth = await MockOAuthServer.start({ user: 'alice', deviceInterval: 0 });
  dovecot = await startDovecot({ mechanisms: ['plain'], oauth2IntrospectionUrl: auth.endpoints.introspection });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-oauth-full-'));
  config = { provider: custom({ ...auth.endpoints, scopes: 'mail offline_access' }), clientId: auth.clientId };
});

after(async () => {
  await dovecot?.stop();
  await auth?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('an OAuth account completes a headers-only message with its access token, refreshed once after a refusal', async () => {
  const account: AccountConfig = { name: 'oauth', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile, auth: 'xoauth2', login: 'custom' };
  let refresh: string | undefined;
  const session = new OAuthSession(config, {
    get: async () => refresh,
    set: async (t) => void (refresh = t),
    delete: async () => void (refresh = undefined),
  });
  const tokens = await signInWithDeviceCode(config, { onCode: (c) => auth.decideDevice(c.userCode, 'approved'), sleep: async () => undefined });
  await session.adopt(tokens);
  const big = `Subject: large\r\nMessage-ID: <large@example.org>\r\n\r\n${'x'.repeat(40_000)}\r\n`;
  dovecot.deliver('alice', big, 'big');
  const store = await MailStore.open(path.join(work, 'store'));
  try {
    const r = await fetchWithSession(session, { account, store, download: { maxMessageSize: 10_000 } });
    assert.equal(r.headersOnly, 1);
    const [stored] = store.list();
    assert.equal(stored!.headersOnly, true);

    // The server stops accepting the token: one refresh, then the download goes through.
    auth.expireAccessTokens();
    const before = auth.requestsTo('/token').length;
    const full = await session.withAccessToken((token) => downloadFull({ account, token, store, id: stored!.id }), (e) => Pop3Error.is(e, 'AuthFailed'));
    assert.equal(auth.requestsTo('/token').slice(before).filter((q) => q.form.get('grant_type') === 'refresh_token').length, 1);
    assert.equal(full.headersOnly, undefined);
    assert.ok(full.size > 40_000);
    assert.equal((await store.readRaw(stored!.id)).toString('latin1'), big);
  } finally {
    store.close();
  }
});
