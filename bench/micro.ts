// In-process figures: opening and listing a 100,000-message store, parsing
// messages for the view, and the size of what ships.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMessageView } from '../src/mail/view';
import { MailStore } from '../src/store/store';
import { generateMessage } from '../test/support/mailgen';
import { median } from './measure';

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** A store with `count` small messages, built once and cached. */
async function bigStore(dir: string, count: number): Promise<void> {
  const marker = path.join(dir, `.complete-${count}`);
  if (fs.existsSync(marker)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const store = await MailStore.open(dir);
  for (let i = 0; i < count; i++) {
    const w = store.begin(`bench-${i}`);
    w.write(generateMessage(7, i, { attachmentBytes: 0, kind: 'plain' }).subarray(0, 1500));
    // No fsync per message here: this builds a fixture, it does not measure fetching.
    store.commitUnsynced(w);
  }
  store.flush();
  fs.writeFileSync(marker, '');
}

export interface MicroResults {
  /** Open with its index snapshot (the usual case). */
  readonly openStore100kMs: number;
  /** Open from the JSON log alone (the first open after an upgrade), writing the snapshot. */
  readonly openStore100kLogMs?: number;
  /** Open with its snapshot but without its stamp (after an unclean stop): every file name checked against the index, on the opening thread. */
  readonly openStore100kNoStampMs?: number;
  /** Reading every subject and sender after an open from the snapshot (the first search). */
  readonly firstSearch100kMs?: number;
  readonly list100kMs: number;
  readonly show: Record<string, number>;
  readonly bundleBytes: Record<string, number>;
}

export async function runMicro(cache: string, rounds: number): Promise<MicroResults> {
  const dir = path.join(cache, 'store-100k');
  await bigStore(dir, 100_000);
  const opens: number[] = [];
  const logOpens: number[] = [];
  const noStampOpens: number[] = [];
  const lists: number[] = [];
  const searches: number[] = [];
  for (let r = 0; r < rounds; r++) {
    fs.rmSync(path.join(dir, 'index.snap'), { force: true });
    let t = process.hrtime.bigint();
    await MailStore.open(dir);
    logOpens.push(ms(t));
    t = process.hrtime.bigint();
    const store = await MailStore.open(dir);
    opens.push(ms(t));
    fs.rmSync(path.join(dir, 'index.stamp'));
    t = process.hrtime.bigint();
    (await MailStore.open(dir)).close();
    noStampOpens.push(ms(t));
    t = process.hrtime.bigint();
    const rows = store.list();
    lists.push(ms(t));
    if (rows.length !== 100_000) throw new Error(`expected 100000 rows, got ${rows.length}`);
    t = process.hrtime.bigint();
    let chars = 0;
    for (const m of rows) chars += m.subject.length + m.from.name.length + m.from.address.length;
    searches.push(ms(t));
    if (chars === 0) throw new Error('no subjects or senders read');
  }
  const show: Record<string, number> = {};
  for (const [label, bytes] of [['100 KB', 100_000], ['1 MB', 1_000_000], ['10 MB', 10_000_000]] as const) {
    const raw = generateMessage(11, 1, { attachmentBytes: Math.floor(bytes * 0.74), kind: 'alternative' });
    await parseMessageView('warm', raw); // warm the parser's code paths (JIT) outside the timing
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = process.hrtime.bigint();
      await parseMessageView('x', raw);
      times.push(ms(t));
    }
    show[`${label} (${(raw.length / 1e6).toFixed(2)} MB)`] = median(times);
  }
  const root = path.resolve(__dirname, '..');
  const bundleBytes: Record<string, number> = {};
  for (const f of ['dist/extension.js', 'dist/cli.js', 'dist/webview.js', 'dist/pop3-mail.vsix']) {
    const p = path.join(root, f);
    if (fs.existsSync(p)) bundleBytes[f] = fs.statSync(p).size;
  }
  return { openStore100kMs: median(opens), openStore100kLogMs: median(logOpens), openStore100kNoStampMs: median(noStampOpens), firstSearch100kMs: median(searches), list100kMs: median(lists), show, bundleBytes };
}
