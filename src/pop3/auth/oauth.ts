// The client side of the two OAuth 2 SASL mechanisms: Google's and
// Microsoft's XOAUTH2 and RFC 7628's OAUTHBEARER. The caller obtains the
// access token; nothing here logs it.

import { Pop3Error } from '../errors';
import type { SaslMechanism } from './types';

/** Longest error status kept from a server's JSON (untrusted text, shown in logs). */
const MAX_STATUS = 64;

/**
 * The `status` of the JSON error a server sends as a challenge when it
 * refuses a token (e.g. `{"status":"401",...}` or `{"status":"invalid_token"}`).
 * Only printable ASCII survives, so a hostile server cannot put control
 * characters into our log; undefined when the challenge is not such JSON.
 */
export function oauthErrorStatus(challenge: Buffer): string | undefined {
  let value: unknown;
  try {
    // JSON.parse runs in linear time; the challenge is bounded by the line limit.
    value = JSON.parse(challenge.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const status = (value as Record<string, unknown>).status;
  if (typeof status !== 'string' && typeof status !== 'number') return undefined;
  const text = String(status).replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_STATUS);
  return text || undefined;
}

/** RFC 5801 saslname: "=" and "," are escaped in the GS2 header, "=" first. */
function saslname(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

class OAuthMechanism implements SaslMechanism {
  private status: string | undefined;
  private answered = false;

  constructor(
    readonly name: 'XOAUTH2' | 'OAUTHBEARER',
    private readonly response: string,
    /** What the mechanism's specification says to send after an error challenge. */
    private readonly afterError: Buffer,
  ) {}

  initial(): Buffer {
    return Buffer.from(this.response, 'utf8');
  }

  /**
   * The only challenge after our response is the server's error JSON. We
   * answer it once as the mechanism requires, so the server can end the
   * exchange with -ERR; a second challenge is a server that will not let go,
   * and the caller cancels the exchange.
   */
  step(challenge: Buffer): Buffer {
    if (this.answered) throw new Pop3Error('AuthFailed', `The server kept the ${this.name} exchange open after refusing the token${this.describe()}.`);
    this.answered = true;
    this.status = oauthErrorStatus(challenge);
    return this.afterError;
  }

  /** For the AuthFailed message: what the server's error JSON said. */
  failureDetail(): string | undefined {
    return this.status === undefined ? undefined : `the server's error status: ${this.status}`;
  }

  private describe(): string {
    return this.status === undefined ? '' : ` (status ${this.status})`;
  }
}

/**
 * %x01 separates the fields of both mechanisms' responses: one inside the
 * user name or the token would let it add fields of its own.
 */
function checkFields(user: string, token: string): void {
  if (user.includes('\x01')) throw new Pop3Error('Protocol', 'The user name contains a control character (^A); nothing was sent.');
  // RFC 6750 b64token: the characters a bearer token may have.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new Pop3Error('AuthFailed', 'The access token has characters a bearer token cannot have; nothing was sent.');
}

/** Google's and Microsoft's XOAUTH2; after an error challenge the client sends an empty response. */
export function xoauth2(user: string, token: string): SaslMechanism {
  checkFields(user, token);
  return new OAuthMechanism('XOAUTH2', `user=${user}\x01auth=Bearer ${token}\x01\x01`, Buffer.alloc(0));
}

/**
 * RFC 7628 OAUTHBEARER with a GS2 header naming the user. After an error
 * challenge the client must send the dummy response, a single %x01
 * (section 3.2.3), and the server then fails the exchange.
 */
export function oauthbearer(user: string, token: string): SaslMechanism {
  checkFields(user, token);
  return new OAuthMechanism('OAUTHBEARER', `n,a=${saslname(user)},\x01auth=Bearer ${token}\x01\x01`, Buffer.from([1]));
}
