// RFC 2047 encoded words ("=?utf-8?B?...?=") in header values, decoded without
// a MIME library so that indexing stays as fast as the wire. Never throws:
// a bogus word is left as it is, an unknown charset falls back to latin1
// (docs/security.md T31).

import { TextDecoder } from 'node:util';

const WORD = /=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=/g;
// Whitespace between two adjacent encoded words is not shown (RFC 2047 section 6.2).
const BETWEEN_WORDS = /(\?=)\s+(?==\?)/g;

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(charset: string): TextDecoder | null {
  const star = charset.indexOf('*'); // an RFC 2231 language suffix follows it
  const key = (star === -1 ? charset : charset.slice(0, star)).toLowerCase();
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key, { fatal: false });
    } catch {
      d = null;
    }
    decoders.set(key, d);
  }
  return d;
}

/** Decodes bytes in a charset; an unknown charset decodes as latin1 rather than failing. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const d = decoderFor(charset || 'utf-8');
  return d ? d.decode(bytes) : Buffer.from(bytes).toString('latin1');
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function decodeQ(text: string): Buffer {
  const bytes = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const hi = c === 0x3d ? hexValue(text.charCodeAt(i + 1)) : -1;
    const lo = hi === -1 ? -1 : hexValue(text.charCodeAt(i + 2));
    if (c === 0x5f) bytes[n++] = 0x20;
    else if (lo !== -1) {
      bytes[n++] = hi * 16 + lo;
      i += 2;
    } else bytes[n++] = c & 0xff;
  }
  return bytes.subarray(0, n);
}

/**
 * Decodes every RFC 2047 encoded word in an (unfolded) header value. Adjacent
 * words in the same charset are joined as bytes first, so a multi-byte
 * character split across two words decodes whole.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const text = value.replace(BETWEEN_WORDS, '$1');
  let out = '';
  let last = 0;
  let run: { charset: string; bytes: Buffer[] } | undefined;
  const flush = (): void => {
    if (run) out += decodeCharset(Buffer.concat(run.bytes), run.charset);
    run = undefined;
  };
  for (const m of text.matchAll(WORD)) {
    const [whole, charset, enc, payload] = m as unknown as [string, string, string, string];
    const isB = enc.toUpperCase() === 'B';
    const bytes = isB ? Buffer.from(payload, 'base64') : decodeQ(payload);
    if (m.index > last || (isB && payload.length > 0 && bytes.length === 0)) flush();
    out += text.slice(last, m.index);
    last = m.index + whole.length;
    if (isB && payload.length > 0 && bytes.length === 0) {
      out += whole; // not base64 at all: show it as it is
      continue;
    }
    if (run && run.charset.toLowerCase() !== charset.toLowerCase()) flush();
    run ??= { charset, bytes: [] };
    run.bytes.push(bytes);
  }
  flush();
  return out + text.slice(last);
}
