// Gmail's POP rules and Exchange Online's login, against scripted
// imitations built from the providers' documentation
// (test/support/provider-pop.ts), through the real fetch: a server that
// stops listing retrieved mail is not a migration, Gmail's recent mode is
// safe with UIDL de-duplication, a real migration is still refused, and an
// Exchange-like server takes only two-line XOAUTH2.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Pop3Error } from '../../src/pop3/errors';
import { MailStore } from '../../src/store/store';
import type { AccountConfig } from '../../src/sync/account';
import { fetchMail, type FetchResult } from '../../src/sync/fetch';
import { planSync, type PlanInput } from '../../src/sync/plan';
import type { RetentionPolicy } from '../../src/sync/policy';
import { testCerts } from '../support/certs';
import { serveProvider, type ProviderBehaviour, type ProviderMessage, type ServedSession } from '../support/provider-pop';
import { ScriptedServer } from '../support/scripted-server';

const certs = testCerts();
const BOUND = { timeout: 30_000 };
let work: string;
let caFile: string;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-gmail-'));
  caFile = path.join(work, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca.cert);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const mail = (id: string): ProviderMessage => ({ uidl: `GmailId${id}`, raw: `Message-ID: <${id}@example.com>\r\nSubject: ${id}\r\n\r\nbody of ${id}\r\n` });

/** One fetch against one fresh connection of a provider imitation serving `box`. */
async function session(
  box: ProviderMessage[],
  behaviour: ProviderBehaviour,
  storeDir: string,
  account: Partial<AccountConfig> & { token?: string; password?: string; retention?: RetentionPolicy } = {},
): Promise<{ result?: FetchResult; error?: unknown; log: ServedSession }> {
  const log: ServedSession = { commands: [] };
  const server = await ScriptedServer.start({ script: [{ run: (s) => serveProvider(s, box, behaviour, log) }, { close: true }], tls: { key: certs.localhost.key, cert: certs.localhost.cert } });
  const store = await MailStore.open(storeDir);
  try {
    const { token, password = 'app-password', retention, ...rest } = account;
    const result = await fetchMail({
      account: { name: 'p', host: 'localhost', port: server.port, user: 'alice@gmail.com', security: 'tls', caFile, auth: 'user', ...rest },
      password,
      token,
      store,
      retention,
    });
    return { result, log };
  } catch (error) {
    return { error, log };
  } finally {
    store.close();
    await server.close();
  }
}

async function stored(dir: string): Promise<string[]> {
  const store = await MailStore.open(dir);
  const uidls = store.list().map((m) => m.uidl).sort();
  store.close();
  return uidls;
}

for (const greeting of ['Gpop ready for requests from 127.0.0.1 q7mb', 'POP3 server ready'] as const) {
  const why = greeting.startsWith('Gpop') ? "Gmail's greeting" : 'the evidence alone (fewer listed than held, nothing deleted by us)';
  test(`a server that hides retrieved mail, told by ${why}: 3, then 5, then 5 stored, never a refusal`, BOUND, async () => {
    const dir = path.join(work, `hiding-${greeting.slice(0, 4)}`);
    const box = [mail('1'), mail('2'), mail('3')];
    const gmail: ProviderBehaviour = { kind: 'gmail', greeting, password: 'app-password' };
    const first = await session(box, gmail, dir);
    assert.equal(first.result?.downloaded, 3, String(first.error));
    box.push(mail('4'), mail('5'));
    const second = await session(box, gmail, dir);
    assert.equal(second.result?.plan.anomaly, undefined, 'refused as a migration');
    assert.equal(second.result?.downloaded, 2);
    assert.equal(second.result?.onServer, 2, 'the imitation listed only the two new ones');
    const third = await session(box, gmail, dir);
    assert.equal(third.result?.plan.anomaly, undefined);
    assert.equal(third.result?.downloaded, 0);
    assert.deepEqual(await stored(dir), ['GmailId1', 'GmailId2', 'GmailId3', 'GmailId4', 'GmailId5']);
  });
}

test("Gmail's recent mode (user recent:...) lists retrieved mail again; UIDL de-duplication stores each once", BOUND, async () => {
  const dir = path.join(work, 'recent');
  const box = [mail('1'), mail('2'), mail('3')];
  const gmail: ProviderBehaviour = { kind: 'gmail', password: 'app-password' };
  const user = 'recent:alice@gmail.com';
  assert.equal((await session(box, gmail, dir, { user })).result?.downloaded, 3);
  box.push(mail('4'), mail('5'));
  const second = await session(box, gmail, dir, { user });
  assert.equal(second.result?.onServer, 5, 'recent mode lists the retrieved ones again');
  assert.equal(second.result?.downloaded, 2);
  const third = await session(box, gmail, dir, { user });
  assert.equal(third.result?.downloaded, 0);
  assert.deepEqual(await stored(dir), ['GmailId1', 'GmailId2', 'GmailId3', 'GmailId4', 'GmailId5']);
  assert.ok(second.log.commands.includes('USER recent:alice@gmail.com'));
});

test('the same mail listed again under new UIDLs (a migration) is still refused; nothing is stored twice', BOUND, async () => {
  const dir = path.join(work, 'migration');
  const box = [mail('1'), mail('2'), mail('3')];
  const plain: ProviderBehaviour = { kind: 'plain', password: 'app-password' };
  assert.equal((await session(box, plain, dir)).result?.downloaded, 3);
  const moved: ProviderMessage[] = box.map((m) => ({ raw: m.raw, uidl: `new-${m.uidl}` }));
  const refused = await session(moved, plain, dir);
  assert.deepEqual(refused.result?.plan.anomaly, { kind: 'all-new', count: 3 });
  assert.equal(refused.result?.downloaded, 0);
  assert.ok(!refused.log.commands.some((c) => c.startsWith('RETR')), 'nothing was retrieved');
  // The same on a Gmail-like session that shows as many as we hold: that is evidence of a migration, not of hiding.
  moved.push(mail('6'));
  const again = await session(moved, { kind: 'gmail', greeting: 'POP3 server ready', password: 'app-password' }, dir);
  assert.deepEqual(again.result?.plan.anomaly, { kind: 'all-new', count: 4 });
  assert.deepEqual(await stored(dir), ['GmailId1', 'GmailId2', 'GmailId3']);
});

test('after we deleted mail there, fewer listed than held proves nothing: all-new is refused', BOUND, async () => {
  const dir = path.join(work, 'deleted-by-us');
  const box = [mail('1'), mail('2'), mail('3'), mail('4')];
  const plain: ProviderBehaviour = { kind: 'plain', password: 'app-password' };
  assert.equal((await session(box, plain, dir)).result?.downloaded, 4);
  // Trashed here, then "delete when deleted locally" removes it there: we have deleted from this server.
  const store = await MailStore.open(dir);
  store.trash(store.list()[0]!.id);
  store.close();
  const deleting = await session(box, plain, dir, { retention: { deleteWhenDeletedLocally: true } });
  assert.equal(deleting.result?.deleted, 1, String(deleting.error));
  assert.equal(box.length, 3);
  const r = await session([mail('7'), mail('8')], plain, dir);
  assert.deepEqual(r.result?.plan.anomaly, { kind: 'all-new', count: 2 });
  assert.equal(r.result?.downloaded, 0);
});

test('Exchange Online-like: USER/PASS refused as AuthFailed; XOAUTH2 (auto, with a token) logs in two-line and fetches', BOUND, async () => {
  const dir = path.join(work, 'exchange');
  const box = [mail('1'), mail('2')];
  const exchange: ProviderBehaviour = { kind: 'exchange', token: 'ey.valid-token', greeting: 'The Microsoft Exchange POP3 service is ready.' };
  const basic = await session(box, exchange, dir, { user: 'alice@contoso.com' });
  assert.ok(Pop3Error.is(basic.error, 'AuthFailed'), String(basic.error));
  const oauth = await session(box, exchange, dir, { user: 'alice@contoso.com', auth: 'auto', token: 'ey.valid-token', password: undefined });
  assert.equal(oauth.result?.downloaded, 2, String(oauth.error));
  assert.ok(oauth.log.commands.includes('AUTH XOAUTH2'), oauth.log.commands.join('\n'));
  const refused = await session(box, exchange, dir, { user: 'alice@contoso.com', auth: 'xoauth2', token: 'ey.expired', password: undefined });
  assert.ok(Pop3Error.is(refused.error, 'AuthFailed'), String(refused.error));
  assert.match((refused.error as Error).message, /status: 401/);
});

test('plan: the hiding rule in isolation', () => {
  const base: PlanInput = {
    mode: 'uidl',
    server: [{ n: 1, uidl: 'n1', size: 10 }, { n: 2, uidl: 'n2', size: 10 }],
    local: () => undefined,
    storeEmpty: false,
    skipped: new Set(),
    lastServerCount: 3,
    retention: {},
    download: {},
    now: 0,
    acceptNewUidls: false,
  };
  assert.ok(planSync(base).anomaly, 'without evidence: refused as before');
  assert.equal(planSync({ ...base, serverHidesRetrieved: true }).anomaly, undefined);
  assert.equal(planSync({ ...base, localCount: 3 }).anomaly, undefined);
  assert.ok(planSync({ ...base, localCount: 3, deletedFromServer: true }).anomaly);
  assert.ok(planSync({ ...base, localCount: 2 }).anomaly, 'as many listed as held: a migration');
});
