// When the account was last checked, by any process: `last-check.json` in
// the store folder. Every window runs its own scheduler; with this record
// they agree, so that one check runs per interval and not one per window
// (a window whose turn comes finds the record fresh and leaves it).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const LAST_CHECK_FILE = 'last-check.json';

/** Epoch ms of the last completed check of the store in `dir`, or undefined (never, or unreadable). */
export function readLastCheck(dir: string): number | undefined {
  try {
    const text = fs.readFileSync(path.join(dir, LAST_CHECK_FILE), 'utf8');
    if (text.length > 1024) return undefined;
    const at = (JSON.parse(text) as { at?: unknown }).at;
    return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}

/** Records a completed check (write to a temp file, rename: a reader never sees half of it). */
export function writeLastCheck(dir: string, at: number): void {
  const file = path.join(dir, LAST_CHECK_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ at, pid: process.pid }), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
