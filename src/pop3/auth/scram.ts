// SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding.
// The server's final message is verified: a server that does not know the
// password cannot make us believe the login worked.

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Pop3Error } from '../errors';
import type { SaslMechanism } from './types';

type Hash = 'sha1' | 'sha256';

/** RFC 5802 saslname: "=" and "," escaped. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

const hmac = (hash: Hash, key: Buffer, data: string): Buffer => createHmac(hash, key).update(data).digest();

export function scram(hash: Hash, user: string, password: string, nonce = randomBytes(18).toString('base64')): SaslMechanism {
  const clientFirstBare = `n=${saslName(user)},r=${nonce}`;
  let expectedServerSignature: Buffer | undefined;
  let verified = false;
  return {
    name: hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256',
    initial: () => Buffer.from(`n,,${clientFirstBare}`),
    step(challenge: Buffer): Buffer {
      const text = challenge.toString('utf8');
      if (verified) throw new Pop3Error('Protocol', 'The server sent another SCRAM challenge after its final message.');
      if (expectedServerSignature) {
        const attrs = parseAttributes(text);
        const v = attrs.get('v');
        if (attrs.has('e') || !v) throw new Pop3Error('AuthFailed', 'The server rejected the SCRAM login.', { serverText: attrs.get('e') });
        const got = Buffer.from(v, 'base64');
        if (got.length !== expectedServerSignature.length || !timingSafeEqual(got, expectedServerSignature)) {
          throw new Pop3Error('AuthFailed', 'The server could not prove it knows the password (SCRAM server signature mismatch).');
        }
        verified = true;
        return Buffer.alloc(0);
      }
      const attrs = parseAttributes(text);
      const r = attrs.get('r');
      const s = attrs.get('s');
      const i = Number(attrs.get('i'));
      if (!r || !r.startsWith(nonce) || !s || !Number.isInteger(i) || i < 1 || i > 1_000_000) {
        throw new Pop3Error('Protocol', 'The server sent an invalid SCRAM challenge.', { serverText: text.slice(0, 200) });
      }
      const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(s, 'base64'), i, hash === 'sha1' ? 20 : 32, hash);
      const clientKey = hmac(hash, salted, 'Client Key');
      const storedKey = createHash(hash).update(clientKey).digest();
      const clientFinalNoProof = `c=biws,r=${r}`;
      const authMessage = `${clientFirstBare},${text},${clientFinalNoProof}`;
      const signature = hmac(hash, storedKey, authMessage);
      const proof = Buffer.from(clientKey.map((b, k) => b ^ signature[k]!));
      expectedServerSignature = hmac(hash, hmac(hash, salted, 'Server Key'), authMessage);
      return Buffer.from(`${clientFinalNoProof},p=${proof.toString('base64')}`);
    },
    finish(): void {
      // POP3 has no "additional data with success" (RFC 5034): the server-final
      // message must have come as a challenge before the +OK. A +OK without it
      // comes from a server that never showed it knows the password.
      if (!verified) throw new Pop3Error('AuthFailed', 'The server accepted the SCRAM login without proving it knows the password (no server signature).');
    },
  };
}
