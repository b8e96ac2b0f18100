#!/usr/bin/env node
// `pop3-mail`: the headless face of the engine, for scripts, tests and benchmarks.
// Exit codes: 0 ok, 2 usage, 3 authentication, 4 TLS or certificate,
// 5 network or timeout, 6 protocol or server error, 7 needs confirmation
// (--accept-new-uidls), 8 the store is being fetched by another process
// (without --wait, or longer than it), 1 anything else.

// More threads for the parallel fsyncs of a fetch (read when the pool first starts).
process.env['UV_THREADPOOL_SIZE'] ??= '16';

import { AUTH_METHODS } from '../pop3/auth/types';
import { Pop3Error } from '../pop3/errors';
import { StoreBusyError } from '../store/lock';
import { CertificateError } from '../pop3/transport';
import { UsageError } from './args';
import { oneLine } from './common';
import { cmdFetch } from './fetch';
import { cmdList } from './list';
import { cmdSearch } from './search';
import { cmdServerInfo } from './serverinfo';
import { cmdShow } from './show';

const USAGE = `usage:
  pop3-mail fetch --host H [--port N] --user U --store DIR [--security tls|starttls] [--auth METHOD]
                  [--ca FILE] [--pin SHA256] [--delete] [--delete-after-days N] [--delete-trashed]
                  [--max-size BYTES] [--newest N] [--dry-run] [--accept-new-uidls] [--json] [--password-stdin]
                  [--token-command CMD] [--wait SECONDS]
  pop3-mail serverinfo --host H [--port N] [--security tls|starttls] [--ca FILE] [--pin SHA256] [--json]
  pop3-mail list --store DIR [--json]
  pop3-mail show ID --store DIR [--json]
  pop3-mail search QUERY --store DIR [--json] [--limit N]
The password comes from the POP3_PASSWORD environment variable or, with --password-stdin, from standard input.
With --auth xoauth2 or oauthbearer, the OAuth 2 access token comes from POP3_OAUTH_TOKEN or from the first
line of what --token-command CMD prints (run through /bin/sh).
METHOD: ${AUTH_METHODS.join(', ')} (default auto: the strongest the server offers over TLS).
One fetch per store at a time: while another process (an editor window, another pop3-mail) fetches into
the same --store, fetch exits with code 8, or with --wait SECONDS waits that long for it first.`;

export const EXIT = { ok: 0, other: 1, usage: 2, auth: 3, tls: 4, network: 5, protocol: 6, busy: 8 } as const;

function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (StoreBusyError.is(err)) return EXIT.busy;
  if (!Pop3Error.is(err)) return EXIT.other;
  switch (err.code) {
    case 'AuthFailed':
      return EXIT.auth;
    case 'Tls':
      return EXIT.tls;
    case 'Connect':
    case 'Timeout':
    case 'Closed':
    case 'Aborted':
      return EXIT.network;
    case 'Protocol':
    case 'ServerTemp':
    case 'ServerPerm':
    case 'InUse':
    case 'LoginDelay':
    case 'LimitExceeded':
      return EXIT.protocol;
  }
}

function report(err: unknown, json: boolean): void {
  const message = err instanceof Error ? err.message : String(err);
  const serverText = Pop3Error.is(err) ? err.serverText : undefined;
  const certificate = err instanceof CertificateError ? err.certificate : undefined;
  if (json) {
    const kind = Pop3Error.is(err) ? err.code : err instanceof UsageError ? 'Usage' : StoreBusyError.is(err) ? 'StoreBusy' : 'Error';
    process.stderr.write(`${JSON.stringify({ error: kind, message, serverText: serverText?.slice(0, 500), certificate })}\n`);
    return;
  }
  process.stderr.write(`pop3-mail: ${oneLine(message)}${serverText ? ` (server said: ${oneLine(serverText)})` : ''}\n`);
  if (certificate) {
    process.stderr.write(`certificate sha256 ${certificate.fingerprint256} (${oneLine(certificate.subject)}); if you verified it, trust it with --pin\n`);
  }
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'fetch':
        return await cmdFetch(rest, json);
      case 'list':
        return await cmdList(rest, json);
      case 'show':
        return await cmdShow(rest, json);
      case 'search':
        return await cmdSearch(rest, json);
      case 'serverinfo':
        return await cmdServerInfo(rest, json);
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command');
    }
  } catch (err) {
    report(err, json);
    return exitCodeFor(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`pop3-mail: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
