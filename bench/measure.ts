// Runs one client as a child process under GNU time: wall time, CPU time and
// peak RSS of the whole process tree the command waits for.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Sample {
  readonly wallS: number;
  readonly cpuS: number;
  readonly maxRssMB: number;
}

export async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<Sample> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-bench-time-')), 'time');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', out, cmd, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  const [user, sys, rssKB] = fs.readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return { wallS, cpuS: user! + sys!, maxRssMB: rssKB! / 1024 };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
