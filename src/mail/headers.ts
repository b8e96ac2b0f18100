// The header block of a message, read from its first bytes only: enough for
// the summary index without a full MIME parse.

import { decodeEncodedWords } from './encoded-words';

/** Where the header block ends: the index of the first byte of the body, or -1 if not yet seen. */
export function headerEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return -1;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

/** Header fields, unfolded, names lower-cased, raw values (not yet decoded). First one wins on lookup. */
export class HeaderBlock {
  private constructor(private readonly fields: ReadonlyArray<readonly [string, string]>) {}

  /** Parses the header part of `raw` (everything up to the first empty line, or all of it). */
  static parse(raw: Buffer): HeaderBlock {
    const end = headerEnd(raw);
    // Header bytes are ASCII or raw 8-bit UTF-8 (RFC 6532); decode as UTF-8.
    const text = raw.toString('utf8', 0, end === -1 ? raw.length : end);
    const fields: [string, string][] = [];
    for (const line of text.split(/\r?\n/)) {
      if (line === '') break;
      if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
        fields[fields.length - 1]![1] += ` ${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue; // not a header line (mbox "From " line, garbage): skip it
      fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
    return new HeaderBlock(fields);
  }

  /** The raw (undecoded) value of the first field with this name. */
  raw(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.fields.find(([n]) => n === key)?.[1];
  }

  /** The value with RFC 2047 encoded words decoded, or ''. */
  text(name: string): string {
    const v = this.raw(name);
    return v === undefined ? '' : decodeEncodedWords(v);
  }
}

export interface Address {
  readonly name: string;
  readonly address: string;
}

/**
 * Splits an address list (RFC 5322 section 3.4) into names and addresses.
 * Tolerant: quoted names with commas, comments, groups, missing brackets.
 * The address is always the real one between the angle brackets, never a
 * look-alike in the display name (T32).
 */
export function parseAddressList(value: string): Address[] {
  const out: Address[] = [];
  for (const part of splitOutsideQuotes(value.replace(/^[^:<>"@,]*:\s*|;\s*$/g, ''))) {
    const p = part.trim();
    if (!p) continue;
    const angle = /<([^<>]*)>\s*(?:\(.*\))?$/.exec(p);
    if (angle) {
      const name = unquote(p.slice(0, angle.index).trim());
      out.push({ name: decodeEncodedWords(name), address: angle[1]!.trim() });
      continue;
    }
    const comment = /^(\S+)\s*\((.*)\)$/.exec(p);
    if (comment) out.push({ name: decodeEncodedWords(comment[2]!.trim()), address: comment[1]! });
    else out.push({ name: '', address: p });
  }
  return out;
}

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
    if (c === ',' && !quoted && angle === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function unquote(name: string): string {
  const m = /^"(.*)"$/s.exec(name);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : name;
}

/** Parses an RFC 5322 date to ISO 8601, or '' when it is missing or invalid. */
export function parseDate(value: string | undefined): string {
  if (!value) return '';
  const cleaned = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const t = Date.parse(cleaned);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}
