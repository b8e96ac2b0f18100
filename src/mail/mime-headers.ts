// Header fields and parameters of MIME parts (RFC 2045, RFC 2231), tolerant
// of what real mail does: raw 8-bit UTF-8, encoded words inside quoted
// parameters, continuations out of order, unknown charsets. Never throws.

import { decodeCharset, decodeEncodedWords } from './encoded-words';

export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** Unfolded raw value, one char per byte (latin1), not yet decoded. */
  readonly value: string;
}

/** Parses a header block given as latin1 text (one char per byte). */
export function parseHeaderFields(block: string): HeaderField[] {
  const fields: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
      fields[fields.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a header field: skip it
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** Raw header bytes (latin1 string) as text: UTF-8 when they are valid UTF-8 (RFC 6532), else latin1. */
export function bytesToText(latin1: string): string {
  // eslint-disable-next-line no-control-regex -- only ASCII is left as it is
  if (!/[^\u0000-\u007f]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return latin1;
  }
}

/** Most parameters a header may carry before the rest are ignored. */
const MAX_PARAMS = 64;

function splitParams(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1]!;
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
      if (parts.length > MAX_PARAMS) return parts;
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  if (v.startsWith('"')) return v.slice(1).replace(/\\(.)/g, '$1'); // unterminated quote
  return v;
}

function percentBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/**
 * Splits `type/subtype; a=b; c*=utf-8''x` into the value and a map of
 * decoded parameters (lower-case names). RFC 2231 continuations and
 * charsets are joined and decoded; encoded words in quoted values (not
 * standard, but common) are decoded too.
 */
export function parseParams(header: string): { value: string; params: Map<string, string> } {
  const [first = '', ...rest] = splitParams(header);
  const params = new Map<string, string>();
  const continued = new Map<string, { charset: string; pieces: Map<number, { text: string; encoded: boolean }> }>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const rawName = part.slice(0, eq).trim().toLowerCase();
    const rawValue = part.slice(eq + 1).trim();
    const m = /^([^*]+)(?:\*(\d{1,3}))?(\*)?$/.exec(rawName);
    if (!m) continue;
    const [, name, indexText, star] = m as unknown as [string, string, string | undefined, string | undefined];
    if (name === '__proto__') continue;
    if (indexText === undefined && star === undefined) {
      if (!params.has(name)) params.set(name, decodeEncodedWords(bytesToText(unquote(rawValue))));
      continue;
    }
    let entry = continued.get(name);
    if (!entry) {
      entry = { charset: '', pieces: new Map() };
      continued.set(name, entry);
    }
    const index = indexText === undefined ? 0 : Number(indexText);
    let text = unquote(rawValue);
    if (star !== undefined && index === 0) {
      const q = /^([^']*)'[^']*'(.*)$/s.exec(text);
      if (q) {
        entry.charset = q[1]!;
        text = q[2]!;
      }
    }
    if (!entry.pieces.has(index)) entry.pieces.set(index, { text, encoded: star !== undefined });
  }
  for (const [name, entry] of continued) {
    const indexes = [...entry.pieces.keys()].sort((a, b) => a - b);
    const bytes: Buffer[] = [];
    for (const i of indexes) {
      const piece = entry.pieces.get(i)!;
      bytes.push(piece.encoded ? percentBytes(piece.text) : Buffer.from(piece.text, 'latin1'));
    }
    const joined = Buffer.concat(bytes);
    // The extended form wins over a plain one of the same name (RFC 2231 section 4).
    params.set(name, entry.charset ? decodeCharset(joined, entry.charset) : bytesToText(joined.toString('latin1')));
  }
  return { value: first.trim(), params };
}
