// Soak with faults: many fetch cycles against Dovecot through the
// fault-injecting proxy (random resets, stalls and truncations at random byte
// counts), with new mail delivered and local deletions made between cycles,
// one account per retention policy. After every cycle the store and the
// server hold exactly what the policy says.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { Pop3Error } from '../../src/pop3/errors';
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';
import { DAY_MS, type RetentionPolicy } from '../../src/sync/policy';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startFaultProxy, type FaultKind } from '../support/fault-proxy';
import { generateMessage } from '../support/mailgen';
import { Prng, runSeed, scale } from '../support/prng';

const CYCLES = scale(100);
// Dovecot lower-cases user names (auth_username_format %Lu): keep them lower-case.
const POLICIES: Record<string, RetentionPolicy> = {
  leave: {},
  afterdownload: { deleteAfterDownload: true },
  afterdays: { deleteAfterDays: 2 },
  whentrashed: { deleteWhenDeletedLocally: true },
};

let dovecot: Dovecot;
let work: string;
before(async () => {
  dovecot = await startDovecot({ users: Object.keys(POLICIES).map((user) => ({ user, password: 'pw' })) });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-soak-'));
});
after(async () => {
  await dovecot?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function serverHashes(user: string): string[] {
  const dir = dovecot.maildir(user);
  return ['new', 'cur'].flatMap((sub) => {
    const d = path.join(dir, sub);
    return fs.existsSync(d) ? fs.readdirSync(d).map((f) => hash(fs.readFileSync(path.join(d, f)))) : [];
  });
}

test(`soak: ${CYCLES} fetch cycles with faults, new mail and local deletions; every policy holds after every cycle`, { timeout: 1_800_000 }, async () => {
  const seed = runSeed();
  console.log(`soak seed ${seed} (FUZZ_SEED=${seed} replays the choices)`);
  const rng = new Prng(seed);
  const clock = { t: Date.parse('2026-11-01T00:00:00Z') };
  /** Per user: every message ever delivered (hash -> delivery time), and what the user deleted locally. */
  const delivered = new Map<string, Map<string, number>>(Object.keys(POLICIES).map((u) => [u, new Map()]));
  const trashedByUser = new Map<string, Set<string>>(Object.keys(POLICIES).map((u) => [u, new Set()]));
  let next = 0;
  let faults = 0;
  const outcomes = new Map<string, number>();

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const user = Object.keys(POLICIES)[cycle % 4]!;
    const retention = POLICIES[user]!;
    clock.t += DAY_MS / 2;
    for (let k = rng.int(4); k > 0; k--) {
      const raw = generateMessage(seed, next++, { attachmentBytes: rng.chance(0.2) ? 20_000 + rng.int(80_000) : 0 });
      dovecot.deliver(user, raw, `m${next}`);
      delivered.get(user)!.set(hash(raw), clock.t);
    }
    const storeDir = path.join(work, user);
    // A local deletion now and then.
    {
      const store = await MailStore.open(storeDir, { now: () => clock.t });
      const inbox = store.list();
      if (inbox.length > 0 && rng.chance(0.3)) {
        const victim = rng.pick(inbox);
        trashedByUser.get(user)!.add(hash(await store.readRaw(victim.id)));
        store.trash(victim.id);
      }
    }
    const account = { name: user, host: 'localhost', port: dovecot.pop3sPort, user, security: 'tls' as const, caFile: dovecot.caFile };
    // A faulty fetch through the proxy (most cycles), then a clean one.
    const kind = rng.pick<FaultKind>(['reset', 'reset', 'truncate', 'stall', 'none']);
    const proxy = await startFaultProxy({ targetPort: dovecot.pop3sPort, serverToClient: { kind, afterBytes: rng.chance(0.7) ? 100 + rng.int(5000) : 100 + rng.int(100_000) } });
    try {
      await fetchMail({
        account: { ...account, port: proxy.port },
        password: 'pw',
        store: await MailStore.open(storeDir, { now: () => clock.t }),
        retention,
        now: () => clock.t,
        signal: AbortSignal.timeout(3000),
      });
      outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
    } catch (err) {
      assert.ok(Pop3Error.is(err), `a fault ends in a typed error, not ${String(err)}`);
      outcomes.set(err.code, (outcomes.get(err.code) ?? 0) + 1);
    } finally {
      if (proxy.fired) faults++;
      await proxy.close();
    }
    await fetchMail({ account, password: 'pw', store: await MailStore.open(storeDir, { now: () => clock.t }), retention, now: () => clock.t });

    // The store: every delivered message exactly once, deleted ones only where the policy keeps them.
    const store = await MailStore.open(storeDir, { now: () => clock.t });
    const local = await Promise.all([...store.all()].map(async (m) => ({ h: hash(await store.readRaw(m.id)), trashed: m.trashed === true })));
    const localHashes = local.map((m) => m.h);
    assert.equal(new Set(localHashes).size, localHashes.length, `cycle ${cycle} (${user}): no message twice`);
    const trashed = trashedByUser.get(user)!;
    for (const h of delivered.get(user)!.keys()) {
      const expunged = retention.deleteWhenDeletedLocally && trashed.has(h);
      assert.equal(localHashes.includes(h), !expunged, `cycle ${cycle} (${user}): delivered message ${h.slice(0, 8)} ${expunged ? 'expunged' : 'stored'}`);
    }
    for (const h of localHashes) assert.ok(delivered.get(user)!.has(h), `cycle ${cycle} (${user}): nothing stored that was not delivered`);
    for (const sub of ['new', 'cur']) {
      for (const f of fs.readdirSync(path.join(store.maildir, sub))) assert.match(f, /,U=/, 'only whole messages outside tmp/');
    }
    // The server: what the policy leaves there.
    const onServer = new Set(serverHashes(user));
    for (const [h, at] of delivered.get(user)!) {
      let kept = true;
      if (retention.deleteAfterDownload) kept = false;
      if (retention.deleteAfterDays !== undefined) kept = clock.t - at < retention.deleteAfterDays * DAY_MS;
      if (retention.deleteWhenDeletedLocally) kept = !trashed.has(h);
      assert.equal(onServer.has(h), kept, `cycle ${cycle} (${user}): message ${h.slice(0, 8)} ${kept ? 'kept on' : 'deleted from'} the server`);
    }
  }
  console.log(`soak: ${CYCLES} cycles, ${faults} faults injected, ${next} messages delivered; faulty fetches: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  assert.ok(faults >= CYCLES * 0.3, 'many cycles met a fault');
});
