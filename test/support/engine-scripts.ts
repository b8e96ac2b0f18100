// The engine's hostile-server tests share these: an in-process scripted
// server on 127.0.0.1 (plain, STLS and implicit TLS with throwaway
// certificates), script fragments of a normal session, and bounded waits.
// Every timeout is short, so a hanging engine fails a test instead of the run.

import assert from 'node:assert/strict';
import type tls from 'node:tls';
import { Pop3Client, type Pop3ClientOptions, type RetrJob } from '../../src/pop3/client';
import { Pop3Error, type Pop3ErrorCode } from '../../src/pop3/errors';
import type { Pop3Limits } from '../../src/pop3/limits';
import { testCerts } from './certs';
import { ScriptedServer, type ScriptedServerOptions, type Step } from './scripted-server';

export const certs = testCerts();
export const LIMITS: Partial<Pop3Limits> = { idleTimeoutMs: 300, greetingTimeoutMs: 300, tlsTimeoutMs: 500, connectTimeoutMs: 500 };
export const SERVER_TLS: tls.TlsOptions = { key: certs.localhost.key, cert: certs.localhost.cert };
/** No test may take longer than this, whatever the engine does. */
export const BOUND = { timeout: 15_000 };

export const GREETING: Step = { send: '+OK POP3 ready\r\n' };
export const capa = (...caps: string[]): Step[] => [{ expect: /^CAPA$/ }, { send: `+OK\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n` }];
export const LOGIN: Step[] = [{ expect: /^USER alice$/ }, { send: '+OK\r\n' }, { expect: /^PASS s3cret$/ }, { send: '+OK logged in\r\n' }];
export const QUIT: Step[] = [{ expect: /^QUIT$/ }, { send: '+OK bye\r\n' }, { close: true }];
/** Greeting, CAPA, USER/PASS: the client is in the transaction state. */
export const SESSION: Step[] = [GREETING, ...capa('USER', 'UIDL', 'TOP'), ...LOGIN];
/** retrMany asks CAPA again after login (RFC 2449: capabilities may change); without PIPELINING. */
export const RETR_CAPA: Step[] = capa('USER', 'UIDL', 'TOP');

/** Dot-stuffs a message and appends the terminator, as a server sends it (RFC 1939 section 3). */
export function stuffed(message: Buffer | string): Buffer {
  const text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
  return Buffer.from(`${text.replace(/(^|\n)\./g, '$1..')}.\r\n`, 'latin1');
}

export async function withServer(options: ScriptedServerOptions, fn: (server: ScriptedServer) => Promise<void>): Promise<void> {
  const server = await ScriptedServer.start(options);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

export function connect(server: ScriptedServer, extra: Partial<Pop3ClientOptions> = {}): Promise<Pop3Client> {
  return Pop3Client.connect({ host: 'localhost', port: server.port, ca: certs.ca.cert, ...extra, limits: { ...LIMITS, ...extra.limits } });
}

/** Connects and logs in as alice over implicit TLS (the script must start with SESSION). */
export async function loggedIn(server: ScriptedServer, extra: Partial<Pop3ClientOptions> = {}): Promise<Pop3Client> {
  const client = await connect(server, extra);
  await client.authenticate({ user: 'alice', password: 's3cret' }, 'user');
  return client;
}

/** Rejects with a Pop3Error of `code`; returns it and how long it took. */
export async function failsWith(promise: Promise<unknown>, code: Pop3ErrorCode | readonly Pop3ErrorCode[]): Promise<{ error: Pop3Error; ms: number }> {
  const start = performance.now();
  const codes: readonly Pop3ErrorCode[] = typeof code === 'string' ? [code] : code;
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Pop3Error, `a Pop3Error, got ${String(error)}`);
    assert.ok(codes.includes(error.code), `code ${error.code} (${error.message}), expected ${codes.join('|')}`);
    return { error, ms: performance.now() - start };
  }
  assert.fail(`expected a ${codes.join('|')} error, but it succeeded`);
}

/** Resolves with `promise`, or fails the test after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Records the longest gap between ticks of a 5 ms interval: the event loop's responsiveness. */
export function loopWatch(): { stop: () => number } {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(worst, performance.now() - last);
    },
  };
}

/** A RETR job that collects its bytes, and whether `done` saw it complete. */
export function collector(n: number, listedSize?: number): { job: RetrJob; bytes: () => Buffer; chunks: () => number } {
  const parts: Buffer[] = [];
  return {
    job: { n, listedSize, open: () => (chunk) => parts.push(Buffer.from(chunk)) },
    bytes: () => Buffer.concat(parts),
    chunks: () => parts.length,
  };
}

export function noLogin(server: ScriptedServer): void {
  assert.deepEqual(server.loginLines, [], 'no USER/PASS/AUTH/APOP was sent');
}
