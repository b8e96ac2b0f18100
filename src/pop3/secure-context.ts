// The TLS context for a connection that trusts an extra CA file besides the
// system's. Passing `ca: [...tls.rootCertificates, extra]` makes node parse
// some 140 PEM certificates into a new store for every connection (about
// 25 ms, a tenth of a re-fetch with nothing new). Instead the default context
// (node's root store, built once per process) gets the one extra
// certificate, and the result is kept for the next connection with the same
// CA file (the extension fetches the same accounts again and again).

import * as tls from 'node:tls';

/** Distinct CA files kept; an editor has a handful of accounts at most. */
const MAX_CACHED = 8;
const MIN_VERSION = 'TLSv1.2';

const cache = new Map<string, tls.SecureContext>();

/** The native half node's own createSecureContext uses to add a CA; absent, the portable (slower) form serves. */
interface NativeContext {
  addCACert?: (pem: string) => void;
}

/** A context trusting the system CAs plus `ca` (PEM), TLS 1.2 or newer; cached by `ca`. */
export function secureContextWith(ca: string): tls.SecureContext {
  let ctx = cache.get(ca);
  if (ctx) return ctx;
  ctx = tls.createSecureContext({ minVersion: MIN_VERSION });
  const native = (ctx as unknown as { context?: NativeContext }).context;
  if (typeof native?.addCACert === 'function') {
    native.addCACert(ca);
  } else {
    ctx = tls.createSecureContext({ minVersion: MIN_VERSION, ca: [...tls.rootCertificates, ca] });
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(ca, ctx);
  return ctx;
}
