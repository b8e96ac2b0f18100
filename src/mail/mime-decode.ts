// Decoding one MIME part's body: transfer encoding (base64, quoted-printable),
// charset (WHATWG decoders plus UTF-7, which they do not have), and
// format=flowed text (RFC 3676). Tolerant of broken input (T29, T31): bad
// base64 or QP is decoded as far as it goes, never thrown.

import { decodeCharset } from './encoded-words';

/** Decodes a body by its Content-Transfer-Encoding. Unknown encodings pass through. */
export function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      // Node's decoder skips characters outside the alphabet and stops at padding.
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 2045 6.7. A lone '=' that is not a soft break or an escape is kept literally. */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // Soft line break: '=' then optional whitespace then CRLF or LF.
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (j < body.length && body[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j >= body.length) break; // '=' at the very end
    const hi = hexValue(body[i + 1] ?? 0);
    const lo = hexValue(body[i + 2] ?? 0);
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** UTF-7 (RFC 2152). WHATWG decoders refuse it; old mail still uses it (T31). */
export function decodeUtf7(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (_whole, b64: string) => {
    if (b64 === '') return '+';
    let bits = 0;
    let value = 0;
    const units: number[] = [];
    for (const ch of b64) {
      value = (value << 6) | BASE64_ALPHABET.indexOf(ch);
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        units.push((value >> bits) & 0xffff);
      }
    }
    return String.fromCharCode(...units.slice(0, 100_000));
  });
}

/** Decodes text in a charset; UTF-8 when none is given, latin1 when it is unknown. Never throws. */
export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? '').trim().toLowerCase();
  if (cs === 'utf-7' || cs === 'utf7' || cs === 'unicode-1-1-utf-7') return decodeUtf7(bytes);
  if (cs === '' || cs === 'us-ascii' || cs === 'ascii') return decodeCharset(bytes, 'utf-8');
  return decodeCharset(bytes, cs);
}

/** A charset declared inside an HTML part (`<meta charset>` or http-equiv), for parts whose MIME header has none. */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*(?:["']\s*)?([A-Za-z0-9_.:-]{1,40})/i.exec(head);
  return m?.[1];
}

/**
 * RFC 3676 format=flowed: a line ending in a space continues on the next
 * line; space-stuffing is undone; with DelSp=yes the trailing space is
 * removed. Quote depth changes end a paragraph. The signature line '-- '
 * is never joined.
 */
export function decodeFlowed(text: string, delSp: boolean): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let paragraph: string | undefined;
  let paragraphDepth = 0;
  for (const raw of lines) {
    const quote = /^>+/.exec(raw)?.[0] ?? '';
    let line = raw.slice(quote.length);
    if (line.startsWith(' ')) line = line.slice(1); // space-stuffing
    const isSignature = line === '-- ';
    const flowed = !isSignature && line.endsWith(' ');
    if (paragraph !== undefined && quote.length !== paragraphDepth) {
      out.push(paragraph);
      paragraph = undefined;
    }
    const piece = flowed && delSp ? line.slice(0, -1) : line;
    if (paragraph === undefined) {
      paragraph = (quote ? `${quote} ` : '') + piece;
      paragraphDepth = quote.length;
    } else paragraph += piece;
    if (!flowed) {
      out.push(paragraph);
      paragraph = undefined;
    }
  }
  if (paragraph !== undefined) out.push(paragraph);
  return out.join('\n');
}
