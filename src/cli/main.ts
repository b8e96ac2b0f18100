#!/usr/bin/env node
// `pop3-mail`: the headless face of the engine, for scripts, tests and benchmarks.
// Exit codes: 0 ok, 2 usage, 3 authentication, 4 TLS or certificate,
// 5 network or timeout, 6 protocol or server error, 1 anything else.

import { AUTH_METHODS, type AuthMethod } from '../pop3/auth/types';
import { Pop3Error } from '../pop3/errors';
import { serverInfo } from '../pop3/serverinfo';
import { CertificateError } from '../pop3/transport';
import * as fs from 'node:fs';
import { MailStore } from '../store/store';
import { fetchMail } from '../sync/fetch';
import { parseArgs, parsePort, UsageError } from './args';

const USAGE = `usage:
  pop3-mail fetch --host H [--port N] --user U [--security tls|starttls] [--auth METHOD] [--ca FILE] [--pin SHA256]
                  --store DIR [--json] [--password-stdin]
  pop3-mail serverinfo --host H [--port N] [--security tls|starttls] [--ca FILE] [--pin SHA256] [--json]
  pop3-mail list --store DIR [--json]
METHOD: ${AUTH_METHODS.join(', ')} (default auto: the strongest the server offers).
The password comes from the POP3_PASSWORD environment variable or, with --password-stdin, from standard input.`;

export const EXIT = { ok: 0, other: 1, usage: 2, auth: 3, tls: 4, network: 5, protocol: 6 } as const;

function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
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

/** One line, safe for a terminal: no control characters, bounded length. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 500);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function parseSecurity(text: string | undefined): 'tls' | 'starttls' {
  if (text === undefined || text === 'tls' || text === 'starttls') return text ?? 'tls';
  throw new UsageError(`--security must be tls or starttls, not ${text}`);
}

function parseAuth(text: string | undefined): AuthMethod {
  if (text === undefined) return 'auto';
  if ((AUTH_METHODS as readonly string[]).includes(text)) return text as AuthMethod;
  throw new UsageError(`--auth must be one of ${AUTH_METHODS.join(', ')}, not ${text}`);
}

function readCa(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read --ca ${file}: ${(err as Error).message}`);
  }
}

async function cmdServerInfo(argv: string[], json: boolean): Promise<void> {
  const args = parseArgs(argv, { values: ['host', 'port', 'security', 'ca', 'pin'], flags: ['json'], required: ['host'] });
  const security = parseSecurity(args.values.get('security'));
  const info = await serverInfo({
    host: args.values.get('host')!,
    port: parsePort(args.values.get('port'), security === 'tls' ? 995 : 110),
    security,
    ca: readCa(args.values.get('ca')),
    pin: args.values.get('pin'),
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return;
  }
  const lines = [
    `server        ${info.host}:${info.port} (${info.security})`,
    `greeting      ${oneLine(info.greeting)}`,
    `tls           ${info.tls.protocol} ${info.tls.cipher}`,
    `certificate   ${info.certificate?.subject ?? '(none)'}`,
    `  issuer      ${info.certificate?.issuer ?? ''}`,
    `  valid       ${info.certificate?.validFrom ?? ''} to ${info.certificate?.validTo ?? ''}`,
    `  sha256      ${info.certificate?.fingerprint256 ?? ''}`,
    `sasl          ${info.saslMechanisms.join(' ') || '(none)'}`,
    `apop          ${info.apopTimestamp ? 'timestamp in greeting' : 'no'}`,
    `login-delay   ${info.loginDelay ?? '(none)'}`,
    `expire        ${info.expire ?? '(none)'}`,
    `capabilities  ${Object.keys(info.capabilities).join(' ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function cmdFetch(argv: string[], json: boolean): Promise<void> {
  const args = parseArgs(argv, {
    values: ['host', 'port', 'user', 'ca', 'store', 'security', 'auth', 'pin'],
    flags: ['json', 'password-stdin'],
    required: ['host', 'user', 'store'],
  });
  const security = parseSecurity(args.values.get('security'));
  const auth = parseAuth(args.values.get('auth'));
  const password = args.flags.has('password-stdin') ? await readStdin() : process.env['POP3_PASSWORD'];
  if (!password) throw new UsageError('no password: set POP3_PASSWORD or use --password-stdin');
  const host = args.values.get('host')!;
  const store = await MailStore.open(args.values.get('store')!);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await fetchMail({
    account: {
      name: host,
      host,
      port: parsePort(args.values.get('port'), security === 'tls' ? 995 : 110),
      user: args.values.get('user')!,
      security,
      auth,
      caFile: args.values.get('ca'),
      pin: args.values.get('pin'),
    },
    password,
    store,
    signal: controller.signal,
    trace: process.env['POP3_MAIL_TRACE'] ? (line) => process.stderr.write(`${oneLine(line)}\n`) : undefined,
  });
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`downloaded ${result.downloaded} messages (${result.bytes} bytes); ${result.onServer} on the server\n`);
}

async function cmdList(argv: string[], json: boolean): Promise<void> {
  const args = parseArgs(argv, { values: ['store'], flags: ['json'], required: ['store'] });
  const store = await MailStore.open(args.values.get('store')!);
  const rows = store.list().map((m) => ({
    id: m.id,
    uidl: m.uidl,
    subject: m.subject,
    from: m.from,
    date: m.date,
    size: m.size,
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  for (const r of rows) process.stdout.write(`${r.date.slice(0, 10) || '----------'}  ${oneLine(r.from.name || r.from.address).padEnd(24).slice(0, 24)}  ${oneLine(r.subject)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    switch (command) {
      case 'fetch':
        await cmdFetch(rest, json);
        return EXIT.ok;
      case 'list':
        await cmdList(rest, json);
        return EXIT.ok;
      case 'serverinfo':
        await cmdServerInfo(rest, json);
        return EXIT.ok;
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command');
    }
  } catch (err) {
    const code = exitCodeFor(err);
    const message = err instanceof Error ? err.message : String(err);
    const serverText = Pop3Error.is(err) ? err.serverText : undefined;
    if (json) {
      const kind = Pop3Error.is(err) ? err.code : err instanceof UsageError ? 'Usage' : 'Error';
      const certificate = err instanceof CertificateError ? err.certificate : undefined;
      process.stderr.write(`${JSON.stringify({ error: kind, message, serverText: serverText?.slice(0, 500), certificate })}\n`);
    } else {
      process.stderr.write(`pop3-mail: ${oneLine(message)}${serverText ? ` (server said: ${oneLine(serverText)})` : ''}\n`);
      if (err instanceof CertificateError && err.certificate) {
        process.stderr.write(`certificate sha256 ${err.certificate.fingerprint256} (${oneLine(err.certificate.subject)}); trust it with --pin if you verified it\n`);
      }
      if (code === EXIT.usage) process.stderr.write(`${USAGE}\n`);
    }
    return code;
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
