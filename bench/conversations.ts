// `node --import tsx bench/conversations.ts [--rounds 5]`: what conversation
// mode (pop3Mail.inbox.groupBy) costs on a 100,000-message store opened from
// its index snapshot, next to its peer in the same run: date mode's grouping
// of the same list. Threading reads every summary's subject, Message-ID and
// References (decoded from the snapshot on first use); date grouping reads
// only dates. Figures are printed, not asserted.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadConversations } from '../src/mail/conversations';
import { MailStore } from '../src/store/store';
import { groupByDate } from '../src/vscode/inbox/date-groups';
import { generateMessage } from '../test/support/mailgen';
import { median } from './measure';

const COUNT = 100_000;
const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** A store of COUNT generated messages (a share of them replies), built once and cached. */
async function store(dir: string): Promise<void> {
  const marker = path.join(dir, `.complete-${COUNT}`);
  if (fs.existsSync(marker)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const s = await MailStore.open(dir);
  for (let i = 0; i < COUNT; i++) {
    const w = s.begin(`bench-${i}`);
    w.write(generateMessage(7, i, { attachmentBytes: 0, kind: 'plain' }).subarray(0, 1500));
    s.commitUnsynced(w); // a fixture, not a fetch: no fsync per message
  }
  s.flush();
  fs.writeFileSync(marker, '');
}

async function main(): Promise<void> {
  const rounds = Number(option('rounds', '5'));
  const dir = path.resolve(__dirname, 'out/cache/store-100k-threads');
  await store(dir);
  const opens: number[] = [];
  const dates: number[] = [];
  const firstThreads: number[] = [];
  const threads: number[] = [];
  let conversations = 0;
  let replies = 0;
  for (let r = 0; r < rounds; r++) {
    let t = process.hrtime.bigint();
    const s = await MailStore.open(dir);
    const list = [...s.list()];
    opens.push(ms(t));
    t = process.hrtime.bigint();
    groupByDate(list, new Date());
    dates.push(ms(t));
    // The first threading after an open also decodes the texts it reads; the second shows the algorithm alone.
    t = process.hrtime.bigint();
    threadConversations(list);
    firstThreads.push(ms(t));
    t = process.hrtime.bigint();
    const convs = threadConversations(list);
    threads.push(ms(t));
    conversations = convs.length;
    replies = list.filter((m) => m.references !== undefined).length;
    s.close();
  }
  const open = median(opens);
  const date = median(dates);
  const first = median(firstThreads);
  const again = median(threads);
  console.log(`# Conversation mode on ${COUNT} messages (${replies} with References/In-Reply-To -> ${conversations} conversations), medians of ${rounds}`);
  console.log(`open store from snapshot + list   ${open.toFixed(1)} ms`);
  console.log(`date groups (peer)                ${date.toFixed(2)} ms`);
  console.log(`threading, first after open       ${first.toFixed(1)} ms  (${(first / open).toFixed(2)}x the open)`);
  console.log(`threading, texts already decoded  ${again.toFixed(1)} ms`);
  console.log(`date mode view (open + groups)    ${(open + date).toFixed(1)} ms`);
  console.log(`conversation mode view            ${(open + first).toFixed(1)} ms  (${((open + first) / (open + date)).toFixed(2)}x date mode)`);
}

void main();
