// RFC 7636 proof key: a fresh random verifier per sign-in and its S256
// challenge, so an intercepted authorization code is useless on its own.
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
}

/** 32 random bytes give a 43-character verifier, the minimum RFC 7636 allows and 256 bits of entropy. */
export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier), method: 'S256' };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An unguessable value tying the redirect to this sign-in (CSRF protection, RFC 6749 10.12). */
export function randomState(): string {
  return randomBytes(16).toString('base64url');
}
