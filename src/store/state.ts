// Per-account sync state that is not in the Maildir: small, written
// atomically (write, fsync, rename) before the server is told anything.

import * as fs from 'node:fs';
import { parseTransport, type TransportRecord } from './transport';

export interface SyncState {
  /** When we last logged in (ms), for the server's LOGIN-DELAY. */
  readonly lastLogin?: number;
  /** The server's LOGIN-DELAY in seconds, as last announced. */
  readonly loginDelay?: number;
  /** Messages the server still held after the last sync; 0 or missing: none. */
  readonly lastServerCount?: number;
  /** This client has deleted mail from the server at least once (a hiding server is told from a migration by it). */
  readonly deletedFromServer?: boolean;
  /** UIDL keys deliberately not downloaded ("newest N" on the first sync). */
  readonly skipped?: readonly string[];
  /** How the last fetch reached the server (for `pop3-mail show`'s security line). */
  readonly transport?: TransportRecord;
  /**
   * UIDL keys of messages deleted here that the last session asked the
   * server to delete: its QUIT may have committed without the answer
   * arriving, so the next listing decides whether they are gone.
   */
  readonly deleting?: readonly string[];
}

export function readState(file: string): SyncState {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    const o = v as Record<string, unknown>;
    const num = (k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
    return {
      lastLogin: num('lastLogin'),
      loginDelay: num('loginDelay'),
      lastServerCount: num('lastServerCount'),
      deletedFromServer: o['deletedFromServer'] === true ? true : undefined,
      skipped: strings(o['skipped']),
      transport: parseTransport(o['transport']),
      deleting: strings(o['deleting']),
    };
  } catch {
    return {}; // missing or damaged: start over (the Maildir still says what we have)
  }
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

export function writeState(file: string, state: SyncState): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(state));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
