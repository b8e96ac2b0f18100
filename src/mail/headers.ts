// The header block of a message, read from its first bytes only: enough for
// the summary index without a full MIME parse.

import { decodeEncodedWords } from './encoded-words';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the header block ends: the index of the first byte of the body, or
 * -1 if not yet seen. The block ends at the first "\n\n" or "\r\n\r\n".
 * One forward walk from line end to line end: searching the whole prefix
 * for "\n\n" as well cost a scan of 64 KB per CRLF message.
 */
export function headerEnd(buf: Buffer): number {
  for (let lf = buf.indexOf(LF); lf !== -1; lf = buf.indexOf(LF, lf + 1)) {
    if (buf[lf + 1] === LF) return lf + 2;
    if (buf[lf - 1] === CR && buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
  }
  return -1;
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
 * look-alike in the display name (T32). Each step is one pass over the
 * value: a header may be 64 KB of anything.
 */
export function parseAddressList(value: string): Address[] {
  const out: Address[] = [];
  for (const part of splitOutsideQuotes(value.replace(/^[^:<>"@,]*:\s*|;\s*$/g, ''))) {
    const p = part.trim();
    if (!p) continue;
    const angle = angleAddress(p);
    if (angle) {
      const name = unquote(p.slice(0, angle.start).trim());
      out.push({ name: decodeEncodedWords(name), address: angle.address.trim() });
      continue;
    }
    const comment = addressWithComment(p);
    if (comment) out.push({ name: decodeEncodedWords(comment.comment.trim()), address: comment.address });
    else out.push({ name: '', address: p });
  }
  return out;
}

/** Line terminators, which `.` in a regular expression does not match. */
function isLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

function isSpace(c: string): boolean {
  return /\s/.test(c);
}

/** The index of the last line terminator in `p`, or -1. */
function lastLineTerminator(p: string): number {
  for (let i = p.length - 1; i >= 0; i--) if (isLineTerminator(p[i]!)) return i;
  return -1;
}

/**
 * The first `<address>` that only white space or one trailing `(comment)`
 * follows: `Name <a@b> (work)`. A `<` without its `>` before the next `<`
 * is text, as is a bracket pair followed by more text.
 */
function angleAddress(p: string): { start: number; address: string } | undefined {
  const lastBreak = lastLineTerminator(p);
  const endsInComment = p.endsWith(')');
  let open = -1;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '<') open = i;
    else if (c === '>' && open !== -1) {
      let j = i + 1;
      while (j < p.length && isSpace(p[j]!)) j++;
      // What follows is nothing, or "(...)" to the end on one line.
      if (j === p.length || (p[j] === '(' && endsInComment && p.length - 1 > j && j > lastBreak)) return { start: open, address: p.slice(open + 1, i) };
      open = -1;
    }
  }
  return undefined;
}

/** `a@b (Name)` or `a@b(Name)`: an address without brackets and the comment after it. */
function addressWithComment(p: string): { address: string; comment: string } | undefined {
  if (!p.endsWith(')')) return undefined;
  const lastBreak = lastLineTerminator(p.slice(0, -1));
  let firstSpace = 0;
  while (firstSpace < p.length && !isSpace(p[firstSpace]!)) firstSpace++;
  if (firstSpace > 0 && firstSpace < p.length) {
    // The address is the first word; the comment opens after the white space.
    let j = firstSpace;
    while (j < p.length && isSpace(p[j]!)) j++;
    if (p[j] === '(' && p.length - 1 > j && j > lastBreak) return { address: p.slice(0, firstSpace), comment: p.slice(j + 1, -1) };
  }
  // Else the comment opens inside the first word, at its last "(" that leaves an address before it.
  const open = p.lastIndexOf('(', Math.min(firstSpace - 1, p.length - 2));
  if (open >= 1 && open > lastBreak) return { address: p.slice(0, open), comment: p.slice(open + 1, -1) };
  return undefined;
}

/** Splits at commas outside quotes and angle brackets; each part is a slice of the value, as written. */
function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
    else if (c === ',' && !quoted && angle === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

function unquote(name: string): string {
  if (name.length < 2 || !name.startsWith('"') || !name.endsWith('"')) return name;
  return name.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** The text without its (comments), each replaced by a space; a "(" that no ")" follows stays. */
function withoutComments(value: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = value.indexOf('(', from);
    if (open === -1) break;
    const close = value.indexOf(')', open + 1);
    // No ")" after this "(": none after any later "(" either.
    if (close === -1) break;
    out += `${value.slice(from, open)} `;
    from = close + 1;
  }
  return out + value.slice(from);
}

/** Parses an RFC 5322 date to ISO 8601, or '' when it is missing or invalid. */
export function parseDate(value: string | undefined): string {
  if (!value) return '';
  const cleaned = withoutComments(value).replace(/\s+/g, ' ').trim();
  const t = Date.parse(cleaned);
  return Number.isNaN(t) ? '' : new Date(t).toISOString();
}
