/** One SASL mechanism's client side (RFC 4422), as POP3 AUTH uses it (RFC 5034). */
export interface SaslMechanism {
  readonly name: string;
  /** The initial response sent with the AUTH command, if the mechanism has one. */
  initial?(): Buffer;
  /** The response to one server challenge (already base64-decoded). */
  step(challenge: Buffer): Buffer;
  /**
   * Called when the server answers +OK. Throws when the mechanism has not
   * finished its own checks: a mutual mechanism must not accept a +OK
   * before the server has proved itself.
   */
  finish?(): void;
  /** After the server refused: what its error challenge said (e.g. an OAuth status), for the error message. */
  failureDetail?(): string | undefined;
}

/**
 * Where the initial response goes. `inline` puts it on the AUTH line (one
 * round trip); `separate` sends `AUTH MECH`, waits for the server's `+`, then
 * sends it on its own line.
 */
export type InitialResponseForm = 'inline' | 'separate';

/** How to log in. `auto` picks the strongest mechanism the server offers (after TLS). */
export type AuthMethod =
  | 'auto'
  | 'user'
  | 'plain'
  | 'login'
  | 'cram-md5'
  | 'scram-sha-1'
  | 'scram-sha-256'
  | 'xoauth2'
  | 'oauthbearer'
  | 'apop';

export const AUTH_METHODS: readonly AuthMethod[] = ['auto', 'user', 'plain', 'login', 'cram-md5', 'scram-sha-1', 'scram-sha-256', 'xoauth2', 'oauthbearer', 'apop'];

export interface Credentials {
  readonly user: string;
  /** Password for USER/PASS, APOP and the password-based SASL mechanisms. */
  readonly password?: string;
  /** OAuth 2 access token for XOAUTH2 and OAUTHBEARER (the caller obtains it). */
  readonly token?: string;
}
