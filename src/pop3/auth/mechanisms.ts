// The simple SASL mechanisms and the choice of one. SCRAM is in scram.ts.

import { createHmac } from 'node:crypto';
import { Pop3Error } from '../errors';
import { oauthbearer, xoauth2 } from './oauth';
import { scram } from './scram';
import type { AuthMethod, Credentials, SaslMechanism } from './types';

function need(value: string | undefined, what: string, method: string): string {
  if (!value) throw new Pop3Error('AuthFailed', `${method} needs a ${what}.`);
  return value;
}

/** Builds the client side of a SASL mechanism for these credentials. */
export function saslMechanism(method: Exclude<AuthMethod, 'auto' | 'user' | 'apop'>, c: Credentials): SaslMechanism {
  switch (method) {
    case 'plain': {
      const password = need(c.password, 'password', 'PLAIN');
      return { name: 'PLAIN', initial: () => Buffer.from(`\0${c.user}\0${password}`), step: () => Buffer.alloc(0) };
    }
    case 'login': {
      const password = need(c.password, 'password', 'LOGIN');
      let n = 0;
      // Challenges are "Username:" then "Password:"; answer by position, as servers vary the text.
      return { name: 'LOGIN', step: () => Buffer.from(n++ === 0 ? c.user : password) };
    }
    case 'cram-md5': {
      const password = need(c.password, 'password', 'CRAM-MD5');
      return {
        name: 'CRAM-MD5',
        step: (challenge) => Buffer.from(`${c.user} ${createHmac('md5', password).update(challenge).digest('hex')}`),
      };
    }
    case 'scram-sha-1':
      return scram('sha1', c.user, need(c.password, 'password', 'SCRAM-SHA-1'));
    case 'scram-sha-256':
      return scram('sha256', c.user, need(c.password, 'password', 'SCRAM-SHA-256'));
    case 'xoauth2':
      return xoauth2(c.user, need(c.token, 'token', 'XOAUTH2'));
    case 'oauthbearer':
      return oauthbearer(c.user, need(c.token, 'token', 'OAUTHBEARER'));
  }
}

/** Strongest first. APOP is never chosen automatically (T13); OAuth only with a token. */
const PREFERENCE: readonly Exclude<AuthMethod, 'auto' | 'apop'>[] = ['scram-sha-256', 'scram-sha-1', 'oauthbearer', 'xoauth2', 'cram-md5', 'plain', 'login', 'user'];

/**
 * Picks the login method for `auto` from the capabilities the server
 * announced (after TLS, T04). USER is the fallback when the server lists no
 * SASL mechanism we know.
 */
export function chooseMethod(saslOffered: readonly string[], c: Credentials): Exclude<AuthMethod, 'auto' | 'apop'> {
  const offered = new Set(saslOffered.map((m) => m.toLowerCase()));
  for (const method of PREFERENCE) {
    if (method === 'user') return 'user';
    const oauth = method === 'oauthbearer' || method === 'xoauth2';
    if (oauth ? c.token !== undefined && offered.has(method) : c.password !== undefined && offered.has(method)) return method;
  }
  return 'user';
}
