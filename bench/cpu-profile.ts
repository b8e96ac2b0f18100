// `node --import tsx bench/cpu-profile.ts [--profile quick|small] [--cli label=path/to/cli.js ...]`
//
// Fetches the profile's mailbox (1,000 messages for quick) from a private
// Dovecot with each given CLI bundle under `node --cpu-prof`, into an empty
// store and then once more with nothing new, and prints each run's top
// frames by self time. Profiles are kept in bench/out/cpu/ (open them in
// Chrome DevTools or VS Code). Default CLI: dist/cli.js.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDovecot } from '../test/support/dovecot';
import { buildMailbox, PROFILES } from './mailbox';

const root = path.resolve(__dirname, '..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function (ms), heaviest first, and the profile's length. */
export function topFrames(profile: CpuProfile, n: number): { lines: string[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const f = node.callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const lines = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${k}`);
  return { lines, totalMs };
}

function option(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === `--${name}` && process.argv[i + 1]) out.push(process.argv[i + 1]!);
  });
  return out;
}

async function main(): Promise<void> {
  const profile = PROFILES[option('profile')[0] ?? 'quick'];
  if (!profile) throw new Error(`unknown profile; use one of ${Object.keys(PROFILES).join(', ')}`);
  const clis = option('cli').map((s) => {
    const eq = s.indexOf('=');
    return { label: s.slice(0, eq), file: path.resolve(s.slice(eq + 1)) };
  });
  if (clis.length === 0) clis.push({ label: 'current', file: path.join(root, 'dist/cli.js') });
  const mailbox = buildMailbox(profile, path.join(root, 'bench/out/cache', `mailbox-${profile.name}`));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-cpuprof-'));
  const outDir = path.join(root, 'bench/out/cpu');
  fs.mkdirSync(outDir, { recursive: true });
  const dovecot = await startDovecot({ users: [{ user: 'bench', password: 'bench-pw' }] });
  try {
    for (const f of mailbox.files) dovecot.deliver('bench', fs.readFileSync(f), path.basename(f, '.eml'));
    console.log(`${mailbox.files.length} messages, ${(mailbox.bytes / 1e6).toFixed(1)} MB; load: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const cli of clis) {
      const store = path.join(work, `store-${cli.label}`);
      for (const run of ['fetch', 'refetch']) {
        const name = `${cli.label}-${profile.name}-${run}.cpuprofile`;
        const args = ['--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=${name}`, cli.file, 'fetch', '--host', 'localhost', '--port', String(dovecot.pop3sPort), '--user', 'bench', '--ca', dovecot.caFile, '--store', store, '--json'];
        const t0 = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args, { env: { ...process.env, POP3_PASSWORD: 'bench-pw' }, encoding: 'utf8' });
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        if (r.status !== 0) throw new Error(`${cli.label} ${run}: exit ${r.status}: ${r.stderr}`);
        const { lines, totalMs } = topFrames(JSON.parse(fs.readFileSync(path.join(outDir, name), 'utf8')) as CpuProfile, 15);
        console.log(`\n${cli.label} ${run}: ${wall.toFixed(2)} s wall (profiled), profile ${totalMs.toFixed(0)} ms; top frames by self time:`);
        for (const l of lines) console.log(`  ${l}`);
      }
    }
  } finally {
    await dovecot.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  });
}
