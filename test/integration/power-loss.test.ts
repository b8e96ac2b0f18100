// Durability where it guards the last copy, against a simulated power loss
// (test/support/power-loss.ts): a fetch from a real Dovecot runs in-process
// with node:fs intercepted; at a chosen point the power is cut (nothing more
// reaches the disk) and everything not fsynced is thrown away: unsynced
// names vanish, unsynced data is cut from files' ends. Then the store is
// opened and fetched again. Mail the server keeps: nothing lost, nothing
// twice, the index never claims a damaged file. Mail the server deletes:
// every message it deleted is whole on disk.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { LOCK_FILE } from '../../src/store/lock';
import { MailStore } from '../../src/store/store';
import type { AccountConfig } from '../../src/sync/account';
import { fetchMail, type FetchProgress } from '../../src/sync/fetch';
import type { RetentionPolicy } from '../../src/sync/policy';
import { messagesOnServer, startDovecot, waitSessionsEnded, type Dovecot } from '../support/dovecot';
import { generateMessage } from '../support/mailgen';
import { filesystemSync } from '../../src/store/syncfs';
import { markWriterGone, PowerLoss, type PowerLossOptions } from '../support/power-loss';
import { checkStoredFiles, sha } from '../support/stored-files';

const COUNT = 24;
const users = [
  { user: 'keep', password: 'pw-keep' },
  { user: 'dele', password: 'pw-dele' },
];

// Some messages spill to their tmp/ file while they arrive (over 1 MiB), most stay in memory.
const mailbox = Array.from({ length: COUNT }, (_, i) => generateMessage(0x5eed, i, { attachmentBytes: i === 5 ? 1_200_000 : i % 4 === 1 ? 40_000 : 0 }));
const delivered = new Set(mailbox.map(sha));

let dovecot: Dovecot;
let work: string;
let rounds = 0;

const account = (user: string): AccountConfig => ({ name: user, host: 'localhost', port: dovecot.pop3sPort, user, security: 'tls', caFile: dovecot.caFile });
const password = (user: string): string => users.find((u) => u.user === user)!.password;

function deliverAll(user: string): void {
  mailbox.forEach((raw, i) => dovecot.deliver(user, raw, `m${String(i).padStart(3, '0')}`));
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-power-'));
  dovecot = await startDovecot({ users });
  deliverAll('keep');
});

after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Every index entry names a file of exactly its size. */
function assertIndexTruthful(store: MailStore, where: string): void {
  for (const m of store.all()) {
    const file = store.pathOf(m.id)!;
    assert.ok(fs.existsSync(file), `${where}: the index claims ${m.file}, which is missing`);
    assert.equal(fs.statSync(file).size, m.size, `${where}: ${m.file} is short`);
  }
}

interface Round {
  readonly name: string;
  readonly user: string;
  readonly loss: PowerLossOptions;
  readonly retention?: RetentionPolicy;
  /** The store as the command line opens it: messages opened and written on the main thread. */
  readonly writeInline?: boolean;
  /** Cuts the power; called on each progress report and trace line. */
  readonly when: (pl: PowerLoss, at: { progress?: FetchProgress; trace?: string }) => void;
}

/** Runs a fetch until the power is cut, throws away what was not durable, reopens. Returns the reopened store. */
async function crashRound(round: Round): Promise<{ store: MailStore; storeDir: string; thrownAway: string; pl: PowerLoss }> {
  const storeDir = path.join(work, `store-${++rounds}`);
  (await MailStore.open(storeDir)).close(); // the account's folders exist (and are durable) before the fetch
  const pl = new PowerLoss(storeDir);
  pl.install();
  let failure: unknown;
  try {
    const store = await MailStore.open(storeDir, { writeInline: round.writeInline });
    await fetchMail({
      account: account(round.user),
      password: password(round.user),
      store,
      retention: round.retention,
      onProgress: (progress) => round.when(pl, { progress }),
      trace: (line) => round.when(pl, { trace: line }),
    });
  } catch (err) {
    failure = err;
  } finally {
    pl.uninstall();
  }
  if (failure instanceof assert.AssertionError) throw failure; // a check made while the fetch ran
  assert.ok(pl.powerOff, `${round.name}: the power was never cut (the fetch ended first)`);
  assert.ok(failure !== undefined || round.retention !== undefined, `${round.name}: a fetch whose writes fail must fail`);
  const lost = pl.applyLoss(round.loss);
  markWriterGone(storeDir);
  const thrownAway = `thrown away: ${lost.removed.length} names, ${lost.cut.length} files cut`;
  // The fetch's process died with the power; its lock file, durable on disk,
  // now names a process that no longer runs: here, one with this pid that
  // started an hour before this one (a start time within a second is this
  // process's: its threads read it apart).
  const lockFile = path.join(storeDir, LOCK_FILE);
  if (fs.existsSync(lockFile)) {
    const owner = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { started: number };
    fs.writeFileSync(lockFile, JSON.stringify({ ...owner, started: owner.started - 3_600_000 }));
  }
  await waitSessionsEnded(dovecot, round.user);
  const store = await MailStore.open(storeDir);
  assertIndexTruthful(store, `${round.name}, reopened (${thrownAway})`);
  assert.equal(fs.existsSync(path.join(storeDir, 'unsynced')), false, `${round.name}: the marker outlived the check`);
  return { store, storeDir, thrownAway, pl };
}

/** The fetch again, normally: the store must hold exactly the delivered mail. */
async function fetchAgainAndCheck(round: Round, store: MailStore, storeDir: string, thrownAway: string): Promise<void> {
  const where = `${round.name} (${thrownAway})`;
  await fetchMail({ account: account(round.user), password: password(round.user), store });
  assertIndexTruthful(store, where);
  checkStoredFiles(storeDir, delivered, where, true);
  assert.equal(store.size, COUNT, `${where}: the index knows ${store.size} of ${COUNT}`);
  store.close();
}

const afterMessages = (k: number) => (pl: PowerLoss, at: { progress?: FetchProgress }): void => {
  if (at.progress?.messages === k) pl.cut();
};

/** Right after the last message, or amid the end-of-run sync: `fsyncs` syncs into it. */
const inFinalSync = (fsyncs: number) => (pl: PowerLoss, at: { progress?: FetchProgress }): void => {
  if (at.progress?.messages !== COUNT) return;
  // The batch carried no fsync per message: a handful (the marker) so far.
  assert.ok(pl.fsyncs < COUNT / 2, `${pl.fsyncs} fsyncs for ${COUNT} messages the server keeps`);
  if (fsyncs === 0) return pl.cut();
  const base = pl.fsyncs;
  pl.onFsync = (n) => {
    if (n >= base + fsyncs) pl.cut();
  };
};

const keepRounds: Round[] = [];
for (const [label, loss] of [
  ['unsynced names and data lost', {}],
  ['names kept, unsynced data lost', { keepNames: true }],
  ['names and index kept, message data lost', { keepNames: true, keepIndex: true }],
] as const) {
  keepRounds.push(
    { name: `keep, cut after 1 message, ${label}`, user: 'keep', loss, when: afterMessages(1) },
    { name: `keep, cut after ${COUNT / 2} messages, ${label}`, user: 'keep', loss, when: afterMessages(COUNT / 2) },
    { name: `keep, cut after the last message before the sync, ${label}`, user: 'keep', loss, when: inFinalSync(0) },
    { name: `keep, cut amid the end-of-run sync, ${label}`, user: 'keep', loss, when: inFinalSync(COUNT / 2) },
  );
}

test('power loss while fetching mail the server keeps: nothing lost, nothing twice, no damaged file indexed', { timeout: 120_000 }, async () => {
  for (const round of keepRounds) {
    const { store, storeDir, thrownAway } = await crashRound(round);
    await fetchAgainAndCheck(round, store, storeDir, thrownAway);
    assert.equal(messagesOnServer(dovecot, 'keep'), COUNT, `${round.name}: the server keeps its copies`);
  }
});

test('the same with the end-of-run sync as one syncfs: power loss before it or right after it loses nothing', { timeout: 120_000 }, async (t) => {
  // A batch of COUNT is below the size that takes syncfs: lower it for this test.
  const minFiles = filesystemSync.minFiles;
  filesystemSync.minFiles = 1;
  t.after(() => {
    filesystemSync.minFiles = minFiles;
  });
  for (const [label, loss] of [
    ['unsynced names and data lost', {}],
    ['names kept, unsynced data lost', { keepNames: true }],
  ] as const) {
    for (const [when, fsyncs] of [['before the syncfs', 0], ['right after the syncfs', 1]] as const) {
      const round: Round = { name: `keep, cut ${when}, ${label}`, user: 'keep', loss, when: inFinalSync(fsyncs) };
      const { store, storeDir, thrownAway, pl } = await crashRound(round);
      if (fsyncs === 1) {
        assert.equal(pl.syncfsCalls, 1, `${round.name}: the batch was synced by one syncfs`);
        assert.equal(store.size, COUNT, `${round.name}: everything the syncfs covered survived (${thrownAway})`);
      }
      await fetchAgainAndCheck(round, store, storeDir, thrownAway);
    }
  }
});

test('a deleting fetch syncs each message before it counts, all before the first DELE; power loss right after QUIT: every message the server deleted is whole on disk', { timeout: 60_000 }, async () => {
  for (const [loss, writeInline] of [[{}, false], [{ keepNames: true }, false], [{}, true]] satisfies [PowerLossOptions, boolean][]) {
    deliverAll('dele');
    let dele = 0;
    const round: Round = {
      name: `delete after download, cut at QUIT, ${loss.keepNames ? 'names kept' : 'unsynced names lost'}${writeInline ? ', written inline (the command line)' : ''}`,
      user: 'dele',
      loss,
      writeInline,
      retention: { deleteAfterDownload: true },
      when: (pl, at) => {
        // The last copy: each message's data is fsynced before it counts, and all of it before the server hears a DELE.
        if (at.progress && !pl.powerOff) assert.deepEqual(pl.unsyncedFiles(path.join(work, `store-${rounds}`, 'Maildir', 'new')), []);
        if (at.trace !== undefined && /^C: DELE/.test(at.trace) && !pl.powerOff) {
          assert.deepEqual(pl.unsyncedFiles(path.join(work, `store-${rounds}`, 'Maildir', 'new')), []);
          dele++;
        }
        if (at.trace !== undefined && /^C: QUIT/.test(at.trace)) pl.cut();
      },
    };
    const { store, storeDir, thrownAway } = await crashRound(round);
    assert.equal(dele, COUNT, `${round.name}: every DELE was checked`);
    assert.equal(messagesOnServer(dovecot, 'dele'), 0, `${round.name}: the server deleted the mail`);
    assert.equal(store.size, COUNT, `${round.name}: ${store.size} of ${COUNT} deleted messages survived (${thrownAway})`);
    await fetchAgainAndCheck(round, store, storeDir, thrownAway);
  }
});
