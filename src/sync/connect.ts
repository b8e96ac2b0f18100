// How to reach an account: the Pop3Client options every connection to it uses
// (fetch, full download, the account wizard's test, Server Info and Trust
// Certificate), so they all verify the server the same way.
import * as fs from 'node:fs';
import type { Pop3ClientOptions } from '../pop3/client';
import { Pop3Error } from '../pop3/errors';
import type { AccountConfig } from './account';

export interface ConnectExtras {
  readonly signal?: AbortSignal;
  /** One line per protocol line, already redacted by the engine. */
  readonly trace?: (line: string) => void;
}

/** The connect options for an account; reads its CA file now, so a missing file fails before any network traffic. */
export function connectOptions(account: AccountConfig, extras: ConnectExtras = {}): Pop3ClientOptions {
  const { trace } = extras;
  return {
    host: account.host,
    port: account.port,
    security: account.security,
    ca: account.caFile ? readCaFile(account.caFile) : undefined,
    pin: account.pin,
    signal: extras.signal,
    trace: trace && ((direction, text) => trace(`${direction}: ${text}`)),
  };
}

/** The account's extra CA file; an unreadable one is a TLS setup error that names the file. */
export function readCaFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Pop3Error('Tls', `Cannot read the CA file ${file}: ${(err as Error).message}.`, { cause: err });
  }
}
