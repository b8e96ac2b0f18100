// APOP (RFC 1939 section 7). Off unless asked for: it needs the password in
// clear on the server and MD5. The timestamp parser is strict and linear-time
// (T13): one left-to-right scan, bounded length, printable ASCII only.

import { createHash } from 'node:crypto';

/** Longest timestamp we accept; real ones are under 100 characters. */
const MAX_TIMESTAMP = 256;

/** The `<...@...>` timestamp of a greeting, or undefined when there is none or it is malformed. */
export function apopTimestamp(greeting: string): string | undefined {
  const start = greeting.indexOf('<');
  if (start === -1) return undefined;
  let at = false;
  for (let i = start + 1; i < greeting.length && i - start < MAX_TIMESTAMP; i++) {
    const c = greeting.charCodeAt(i);
    if (c === 0x3e /* > */) return at && i > start + 1 ? greeting.slice(start, i + 1) : undefined;
    if (c === 0x40 /* @ */) at = true;
    if (c < 0x21 || c > 0x7e || c === 0x3c /* < */) return undefined;
  }
  return undefined;
}

export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}
