// What the disk alone costs a Maildir client on this machine: the profile's
// messages, already in memory, written the way a fetch stores them, with no
// network and no parsing. No client that keeps one file per message can
// store the mailbox in less, so these figures are the floor under the fetch
// goals (bench/RESULTS.md, "Goals not met, and why").
//
//   node --import tsx bench/floor.ts [--profile full|small|quick] [--rounds N]
//
// Kept mail: open, write, close and rename per message, then one `sync -f`
// (what our CLI does). Deleted mail (the first 1,000, as the deleting fetch
// of the bench): the same with an fsync per message, one after the other
// (as mpop) and 32 at a time on the thread pool (as ours).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildMailbox, PROFILES } from './mailbox';

const root = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Figure {
  readonly wallS: number;
  readonly cpuS: number;
  readonly sysS: number;
}

/** Times `work` in a fresh Maildir-like folder (tmp/ and new/), after the page cache was written back. */
async function timed(work: (dir: string) => Promise<void> | void): Promise<Figure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-floor-'));
  try {
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.mkdirSync(path.join(dir, 'new'));
    spawnSync('sync');
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await work(dir);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { wallS, cpuS: (cpu.user + cpu.system) / 1e6, sysS: cpu.system / 1e6 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function storeOne(dir: string, name: string, bytes: Buffer, fsync: boolean): void {
  const tmp = path.join(dir, 'tmp', name);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, bytes);
    if (fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, 'new', name));
}

async function storeOneAsync(dir: string, name: string, bytes: Buffer): Promise<void> {
  const tmp = path.join(dir, 'tmp', name);
  const file = await fs.promises.open(tmp, 'wx', 0o600);
  try {
    await file.write(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  fs.renameSync(tmp, path.join(dir, 'new', name));
}

function syncFolder(dir: string): void {
  const fd = fs.openSync(path.join(dir, 'new'), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const profile = PROFILES[option('profile', 'full')];
  if (!profile) throw new Error(`unknown profile; use one of ${Object.keys(PROFILES).join(', ')}`);
  const rounds = Number(option('rounds', '3'));
  const mailbox = buildMailbox(profile, path.join(root, 'bench/out/cache', `mailbox-${profile.name}`));
  const messages = mailbox.files.map((f) => fs.readFileSync(f));
  const deleted = messages.slice(0, 1000);
  const runs: Record<string, Figure[]> = { kept: [], syncfs: [], sequential: [], parallel: [] };
  for (let round = 0; round < rounds; round++) {
    let syncS = 0;
    runs['kept']!.push(
      await timed((dir) => {
        messages.forEach((m, i) => storeOne(dir, `m${i}`, m, false));
        const t = process.hrtime.bigint();
        spawnSync('sync', ['-f', dir]);
        syncS = Number(process.hrtime.bigint() - t) / 1e9;
      }),
    );
    runs['syncfs']!.push({ wallS: syncS, cpuS: 0, sysS: 0 });
    runs['sequential']!.push(
      await timed((dir) => {
        deleted.forEach((m, i) => storeOne(dir, `m${i}`, m, true));
        syncFolder(dir);
      }),
    );
    runs['parallel']!.push(
      await timed(async (dir) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < deleted.length) {
              const i = next++;
              await storeOneAsync(dir, `m${i}`, deleted[i]!);
            }
          }),
        );
        syncFolder(dir);
      }),
    );
  }
  const mb = (mailbox.bytes / 1e6).toFixed(1);
  const deletedMb = (deleted.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1);
  const row = (what: string, figures: Figure[], cpu = true): string =>
    `| ${what} | ${median(figures.map((f) => f.wallS)).toFixed(2)} | ${cpu ? median(figures.map((f) => f.cpuS)).toFixed(2) : ''} | ${cpu ? median(figures.map((f) => f.sysS)).toFixed(2) : ''} |`;
  console.log(`${new Date().toISOString()}: profile ${profile.name}, medians of ${rounds}, load ${os.loadavg()[0]!.toFixed(1)}, ${os.cpus().length} cores`);
  console.log('');
  console.log('| the disk alone | wall (s) | CPU (s) | of it, kernel (s) |');
  console.log('|---|---:|---:|---:|');
  console.log(row(`${messages.length} messages kept (${mb} MB): open, write, close, rename each, then one sync -f`, runs['kept']!));
  console.log(row('of which the one sync -f', runs['syncfs']!, false));
  console.log(row(`${deleted.length} messages deleted (${deletedMb} MB): the same with an fsync each, one at a time`, runs['sequential']!));
  console.log(row('the same, 32 at a time on the thread pool', runs['parallel']!));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
