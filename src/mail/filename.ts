// Attachment names are hostile input (docs/security.md T27): mailparser returns
// them raw. What we show and save is a base name only, with control and bidi
// characters removed, Windows-reserved names mapped, and a bounded length.

import * as path from 'node:path';

/** At most this many characters... */
const MAX_NAME = 120;
/** ...and this many UTF-8 bytes (file systems allow 255; leave room for " (2)" and the like). */
const MAX_NAME_BYTES = 200;
/** C0/C1 controls, bidi and zero-width format characters, line separators, and characters Windows refuses. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb<>:"|?*]/g;
const RESERVED = /^(con|prn|aux|nul|clock\$|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** Cuts to a number of UTF-8 bytes without splitting a character. */
function cutBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * Without dots and white space at the end (and at the start, unless told
 * not to). A loop from each end: a pattern anchored at the end would retry
 * every position of a long run of dots.
 */
function trimDotsAndSpace(text: string, start = true): string {
  const trimmable = (c: string): boolean => c === '.' || /\s/.test(c);
  let from = 0;
  let to = text.length;
  if (start) while (from < to && trimmable(text[from]!)) from++;
  while (to > from && trimmable(text[to - 1]!)) to--;
  return text.slice(from, to);
}

/** A file name that is safe to show and to join to a folder the user chose. */
export function safeFileName(raw: string | undefined, fallback = 'attachment'): string {
  let name = typeof raw === 'string' ? raw : '';
  try {
    // RFC 2231 percent-encoding that reached us undecoded.
    if (/%[0-9a-f]{2}/i.test(name)) name = decodeURIComponent(name);
  } catch {
    // not valid percent-encoding: keep it as it is
  }
  name = name.replace(/\\/g, '/');
  name = name.slice(name.lastIndexOf('/') + 1); // base name only
  name = name.normalize('NFC').replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  name = trimDotsAndSpace(name); // no hidden files, no trailing dots (Windows)
  if (!name) name = fallback;
  if (RESERVED.test(name)) name = `_${name}`;
  const chars = Array.from(name);
  if (chars.length > MAX_NAME || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    const stem = Array.from(name.slice(0, name.length - ext.length)).slice(0, MAX_NAME - ext.length).join('');
    name = trimDotsAndSpace(cutBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(ext, 'utf8')), false) + ext;
  }
  return name;
}

/**
 * Joins a safe name to the folder the user chose and checks that the result
 * is directly inside it (T27: "resolved path stays in the chosen folder").
 * Returns undefined when it is not.
 */
export function pathInside(folder: string, name: string): string | undefined {
  const base = path.resolve(folder);
  const target = path.resolve(base, name);
  if (path.dirname(target) !== base) return undefined;
  if (path.basename(target) !== name) return undefined;
  return target;
}
