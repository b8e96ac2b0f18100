// `npm run bench [-- --profile quick|full|small] [--rounds N] [--skip fetchmail] [--write-results]`
// `npm run bench -- --only micro`: only the in-process figures.
// `npm run bench -- --only search [--messages N] [--write-results]`: the search engines (bench/search.ts).
//
// Also: a deleting fetch of up to 1,000 messages, ours (--delete) against
// mpop (keep off), both fsyncing each message before DELE, and the least a
// Node.js program can take for it (wire-deleting.ts); the event-loop
// delay while a fetch runs in-process and while a 100,000-message store
// opens; the 1-minute load average beside each figure (the cores are shared).
//
// Starts a private Dovecot POP3S on loopback with a seeded mailbox, then
// times, alternating clients round by round: the raw wire, mpop, fetchmail,
// our CLI into an empty store, and our re-fetch with nothing new. Prints
// medians and our ratios to the wire and to mpop, measured in the same run;
// then in-process figures (100,000-entry index, parse for the view, bundle
// sizes). Writes bench/out/results-<profile>.json and .md; with
// --write-results also its own section of bench/RESULTS.md (between
// <!-- bench:NAME --> markers; the rest of the file stays) and bench/fetch-chart.svg.

import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { messagesOnServer, startDovecot } from '../test/support/dovecot';
import { fetchmail, mpop, mpopDelete, mpopRefetch, nodeStartup, ours, oursDelete, oursRefetch, wire, wireDeleting, type Client, type Server } from './clients';
import { fetchLoopDelay, openLoopDelay, type LoopDelay } from './loop-delay';
import { buildMailbox, PROFILES, type Profile } from './mailbox';
import { measure, median, type Sample } from './measure';
import { runMicro } from './micro';
import { runSearchBench, searchMarkdown } from './search';
import { chartSvg, markdown, microLines, writeSection, type Results } from './report';

const root = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch (err) {
    return ((err as { stdout?: string }).stdout ?? '').split('\n')[0]!.trim() || 'unknown';
  }
}

/** `--only micro`: the in-process figures alone (no Dovecot, no peers), printed and kept in bench/out/. */
async function microOnly(rounds: number): Promise<void> {
  const micro = await runMicro(path.join(root, 'bench/out/cache'), rounds);
  const md = [`# In-process figures (${new Date().toISOString()}, medians of ${rounds})`, '', `Machine: ${machine()}.`, '', '| figure | value | target | |', '|---|---:|---:|---|', ...microLines(micro), ''].join('\n');
  console.log(md);
  fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/out/results-micro.json'), `${JSON.stringify(micro, null, 2)}\n`);
}

/** `--only loop`: the event-loop delay figures alone (an in-process fetch of the profile, the 100,000-message store). */
async function loopOnly(profile: Profile): Promise<void> {
  const cache = path.join(root, 'bench/out/cache');
  const mailbox = buildMailbox(profile, path.join(cache, `mailbox-${profile.name}`));
  const dovecot = await startDovecot({ users: [{ user: 'bench', password: 'bench-pw' }] });
  try {
    for (const f of mailbox.files) dovecot.deliver('bench', fs.readFileSync(f), path.basename(f, '.eml'));
    const server: Server = { port: dovecot.pop3sPort, caFile: dovecot.caFile, user: 'bench', password: 'bench-pw', count: mailbox.files.length };
    const show = (what: string, d: LoopDelay): void =>
      console.log(`${what}: p99 ${d.p99Ms.toFixed(0)} ms, max ${d.maxMs.toFixed(0)} ms over ${(d.wallMs / 1000).toFixed(2)} s, load ${d.load.toFixed(2)}`);
    show(`in-process fetch of ${mailbox.files.length}`, await fetchLoopDelay(server));
    await runMicro(cache, 1); // builds the 100,000-message store once
    show('open 100,000 (snapshot)', await openLoopDelay(path.join(cache, 'store-100k'), 'snapshot'));
    show('open 100,000 (JSON log alone)', await openLoopDelay(path.join(cache, 'store-100k'), 'log'));
    show('open 100,000 (no stamp)', await openLoopDelay(path.join(cache, 'store-100k'), 'no-stamp'));
  } finally {
    await dovecot.stop();
  }
}

/** `--only search`: the search engines (bench/search.ts); with --write-results its section replaces the one in bench/RESULTS.md. */
async function searchOnly(messages: number): Promise<void> {
  const results = await runSearchBench(path.join(root, 'bench/out/cache'), messages);
  const md = searchMarkdown(results);
  console.log(`\n${md}`);
  fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/out/results-search.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (process.argv.includes('--write-results')) {
    writeSection(path.join(root, 'bench/RESULTS.md'), 'search', md);
    console.log('wrote the Search section of bench/RESULTS.md');
  }
}

async function main(): Promise<void> {
  if (option('only', '') === 'micro') return microOnly(Number(option('rounds', '3')));
  if (option('only', '') === 'loop') return loopOnly(PROFILES[option('profile', 'quick')]!);
  if (option('only', '') === 'search') return searchOnly(Number(option('messages', '100000')));
  const profile = PROFILES[option('profile', 'quick')];
  if (!profile) throw new Error(`unknown profile; use one of ${Object.keys(PROFILES).join(', ')}`);
  const rounds = Number(option('rounds', '3'));
  const cache = path.join(root, 'bench/out/cache');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-bench-'));
  for (const peer of ['wire', 'wire-deleting']) {
    buildSync({ entryPoints: [path.join(root, `bench/${peer}.ts`)], bundle: true, platform: 'node', outfile: path.join(root, `bench/out/${peer}.js`), logLevel: 'warning' });
  }
  if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('build first: npm run build');

  console.log(`profile ${profile.name}: generating ${profile.messages} messages...`);
  const mailbox = buildMailbox(profile, path.join(cache, `mailbox-${profile.name}`));
  console.log(`mailbox: ${mailbox.files.length} messages, ${(mailbox.bytes / 1e6).toFixed(1)} MB`);

  const user = 'bench';
  const password = 'bench-pw';
  const dovecot = await startDovecot({ users: [{ user, password }, { user: 'bench-del', password }] });
  try {
    for (const f of mailbox.files) dovecot.deliver(user, fs.readFileSync(f), path.basename(f, '.eml'));
    const server: Server = { port: dovecot.pop3sPort, caFile: dovecot.caFile, user, password, count: mailbox.files.length };
    // Warm-up: Dovecot indexes the mailbox on first access; no client should pay that.
    await measure(wire.prepare(work, server).cmd, wire.prepare(work, server).args, wire.prepare(work, server).env);

    const skip = option('skip', '');
    const clients: Client[] = [wire, mpop, mpopRefetch, fetchmail, ours, oursRefetch, nodeStartup].filter((c) => c.name !== skip);
    const deletingClients = [mpopDelete, oursDelete, wireDeleting];
    const samples = new Map<string, (Sample & { load: number })[]>([...clients, ...deletingClients].map((c) => [c.name, []]));
    const run = async (c: Client, target: Server, r: number): Promise<void> => {
      const { cmd, args, env } = c.prepare(work, target);
      // Every client starts with nothing left to write back: the previous
      // client's files and the removal of its old store would otherwise be
      // written out during this run (and a sync -f would wait for them).
      execFileSync('sync');
      const s = { ...(await measure(cmd, args, env)), load: os.loadavg()[0]! };
      const stored = c.stored?.(work);
      if (stored !== undefined && stored !== target.count) throw new Error(`${c.name} stored ${stored} of ${target.count} messages`);
      samples.get(c.name)!.push(s);
      console.log(`round ${r} ${c.name.padEnd(20)} ${s.wallS.toFixed(2)} s wall, ${s.cpuS.toFixed(2)} s CPU, ${s.maxRssMB.toFixed(0)} MB peak RSS, load ${s.load.toFixed(2)}`);
    };
    for (let r = 1; r <= rounds; r++) for (const c of clients) await run(c, server, r);
    // Deleting fetches empty the mailbox: each run gets the same messages delivered first.
    const deleting = mailbox.files.slice(0, 1000);
    const delServer: Server = { ...server, user: 'bench-del', count: deleting.length };
    for (let r = 1; r <= rounds; r++) {
      for (const c of deletingClients) {
        // New names each time: Dovecot would otherwise give a re-delivered file its old UID (and UIDL).
        for (const f of deleting) dovecot.deliver('bench-del', fs.readFileSync(f), `${path.basename(f, '.eml')}-${r}-${c.name.replace(/\W/g, '')}`);
        await run(c, delServer, r);
        if (messagesOnServer(dovecot, 'bench-del') !== 0) throw new Error(`${c.name} left mail on the server`);
      }
    }
    console.log('event-loop delay of an in-process fetch...');
    const loopFetch = await fetchLoopDelay(server);
    console.log('in-process figures...');
    const micro = await runMicro(cache, rounds);
    const loopOpen = await openLoopDelay(path.join(cache, 'store-100k'), 'snapshot');
    const loopOpenLog = await openLoopDelay(path.join(cache, 'store-100k'), 'log');
    const loopOpenNoStamp = await openLoopDelay(path.join(cache, 'store-100k'), 'no-stamp');
    const med = (name: string): { wallS: number; cpuS: number; maxRssMB: number; load: number } => {
      const ss = samples.get(name)!;
      const m = (f: (s: Sample & { load: number }) => number): number => median(ss.map(f));
      return { wallS: m((s) => s.wallS), cpuS: m((s) => s.cpuS), maxRssMB: m((s) => s.maxRssMB), load: m((s) => s.load) };
    };
    const results: Results = {
      date: new Date().toISOString(),
      profile: profile.name,
      messages: mailbox.files.length,
      megabytes: mailbox.bytes / 1e6,
      rounds,
      machine: machine(),
      versions: {
        dovecot: version('/usr/sbin/dovecot', ['--version']),
        mpop: version('/usr/bin/mpop', ['--version']),
        fetchmail: version('/usr/bin/fetchmail', ['--version']),
      },
      fetch: Object.fromEntries(clients.map((c) => [c.name, med(c.name)])),
      deleting: { messages: deleting.length, ...Object.fromEntries(deletingClients.map((c) => [c.name, med(c.name)])) },
      loop: { fetch: loopFetch, open100k: loopOpen, open100kFromLog: loopOpenLog, open100kNoStamp: loopOpenNoStamp },
      micro,
    };
    const md = markdown(results);
    console.log(`\n${md}`);
    fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
    fs.writeFileSync(path.join(root, `bench/out/results-${profile.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(root, `bench/out/results-${profile.name}.md`), md);
    if (process.argv.includes('--write-results')) {
      writeSection(path.join(root, 'bench/RESULTS.md'), `fetch-${profile.name}`, md);
      fs.writeFileSync(path.join(root, 'bench/fetch-chart.svg'), chartSvg(results));
      console.log(`wrote the ${profile.name} profile's section of bench/RESULTS.md and bench/fetch-chart.svg`);
    }
  } finally {
    await dovecot.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
