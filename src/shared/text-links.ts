// Links and `path/to/file.ts:123` references in plain text: one scanner that
// the host (which checks the references against the workspace) and the
// webview (which makes them clickable) share. Message text is hostile, so
// every scan here is a single pass: no regular expression that could retry
// a long run of one character from each of its positions
// (docs/security.md, linear time on untrusted text). No node, no vscode, no DOM.

/** A `file:line` reference found in text. */
export interface FileRefMatch {
  /** Where the reference starts in the text. */
  readonly index: number;
  /** The text of `file:line` (without a `:column` that may follow). */
  readonly ref: string;
  readonly file: string;
  readonly line: string;
  /** Where the whole match ends (after `:column` when there is one). */
  readonly end: number;
}

function isWord(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isWord(c) && c !== 0x5f;
}

/** A character a path segment may start with: a word character, `@`, `+` or `-`. */
function startsSegment(c: number): boolean {
  return isWord(c) || c === 0x40 || c === 0x2b || c === 0x2d;
}

/** A character inside a path: those a segment starts with, `.` and `/`. */
function inPath(c: number): boolean {
  return startsSegment(c) || c === 0x2e || c === 0x2f;
}

/** A reference never starts right after one of these (it would be the middle of a longer path or URL). */
function blocksStart(c: number): boolean {
  return isWord(c) || c === 0x2e || c === 0x2f || c === 0x5c || c === 0x3a || c === 0x2d;
}

const MAX_LINE_DIGITS = 7;
const MAX_COLUMN_DIGITS = 5;
const MAX_EXTENSION = 12;

function digitsFrom(text: string, i: number): number {
  let j = i;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  return j - i;
}

function wordAt(text: string, i: number): boolean {
  return i < text.length && isWord(text.charCodeAt(i));
}

/**
 * Where a reference whose path ends at `colon` ends: after `:line` or
 * `:line:column`, or -1 when what follows the colon is no line number.
 */
function tailEnd(text: string, colon: number): number {
  if (text.charCodeAt(colon) !== 0x3a) return -1;
  const lineDigits = digitsFrom(text, colon + 1);
  if (lineDigits < 1 || lineDigits > MAX_LINE_DIGITS) return -1;
  const afterLine = colon + 1 + lineDigits;
  if (text.charCodeAt(afterLine) === 0x3a) {
    const columnDigits = digitsFrom(text, afterLine + 1);
    const afterColumn = afterLine + 1 + columnDigits;
    if (columnDigits >= 1 && columnDigits <= MAX_COLUMN_DIGITS && !wordAt(text, afterColumn)) return afterColumn;
  }
  return wordAt(text, afterLine) ? -1 : afterLine;
}

/**
 * The reference in the run of path characters [from, to), followed by a line
 * number at `to`: the first start position (left to right) from which the
 * rest of the run is a relative path whose last segment has an extension.
 * Linear in the run: the checks that depend on the start are prepared once.
 */
function startInRun(text: string, from: number, to: number): number {
  let lastSlash = -1;
  let lastDot = -1;
  // The last `/` that is not followed by a segment (`//`, `/.`, a trailing `/`): a path must start after it.
  let lastBadSlash = -1;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f) {
      lastSlash = i;
      if (i + 1 >= to || !startsSegment(text.charCodeAt(i + 1))) lastBadSlash = i;
    } else if (c === 0x2e) lastDot = i;
  }
  // The extension: 1 to 12 letters or digits between the last dot and the colon, in the last segment.
  if (lastDot < lastSlash || lastDot === -1) return -1;
  const extension = to - lastDot - 1;
  if (extension < 1 || extension > MAX_EXTENSION) return -1;
  for (let i = lastDot + 1; i < to; i++) if (!isAlnum(text.charCodeAt(i))) return -1;
  for (let s = Math.max(from, lastBadSlash + 1); s < lastDot; s++) {
    // s < lastDot, and the last segment starts with a segment character: it has one before its dot.
    if (!startsSegment(text.charCodeAt(s))) continue;
    if (s > 0 && blocksStart(text.charCodeAt(s - 1))) continue;
    return s;
  }
  return -1;
}

/**
 * Every `path:line` (and `path:line:column`) reference in `text`, left to
 * right. A path is relative: segments of word characters, `@`, `+`, `-` and
 * `.` (never starting with a dot), separated by single slashes, the last one
 * with an extension. A generator, so a caller that has enough stops the scan.
 */
export function* findFileRefs(text: string): Generator<FileRefMatch> {
  let i = 0;
  while (i < text.length) {
    if (!inPath(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const from = i;
    while (i < text.length && inPath(text.charCodeAt(i))) i++;
    const end = tailEnd(text, i);
    if (end === -1) continue;
    const start = startInRun(text, from, i);
    if (start === -1) continue;
    const file = text.slice(start, i);
    const line = text.slice(i + 1, i + 1 + digitsFrom(text, i + 1));
    yield { index: start, ref: `${file}:${line}`, file, line, end };
    i = end;
  }
}

/** A link found in text: http, https or mailto, without the sentence punctuation after it. */
export interface UrlMatch {
  readonly index: number;
  readonly url: string;
}

const SCHEMES = ['https://', 'http://', 'mailto:'];

/** White space as JavaScript's `\s` knows it. */
function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Characters that end a URL in running text. */
function endsUrl(c: number): boolean {
  return isSpace(c) || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27 || c === 0x60;
}

/** Sentence punctuation after a URL is not part of it. */
function trailingPunctuation(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x29 || c === 0x5d || c === 0x7d || c === 0x3e;
}

/** The length of the scheme (in any case) that starts at i, or 0. */
function schemeAt(text: string, i: number): number {
  const c = text.charCodeAt(i) | 0x20;
  if (c !== 0x68 && c !== 0x6d) return 0; // h, m
  const head = text.slice(i, i + 8).toLowerCase();
  for (const scheme of SCHEMES) if (head.startsWith(scheme)) return scheme.length;
  return 0;
}

/**
 * The http, https and mailto URLs in plain text, left to right: a scheme at
 * the start of a word, then everything up to white space, a quote or an
 * angle bracket, less trailing sentence punctuation. URLs shorter than 8
 * characters (a bare scheme) are skipped.
 */
export function findUrls(text: string): UrlMatch[] {
  const found: UrlMatch[] = [];
  let from = 0;
  while (from < text.length) {
    const i = from;
    // A scheme only at the start of a word.
    const scheme = i > 0 && isWord(text.charCodeAt(i - 1)) ? 0 : schemeAt(text, i);
    if (scheme === 0) {
      from = i + 1;
      continue;
    }
    let end = i + scheme;
    while (end < text.length && !endsUrl(text.charCodeAt(end))) end++;
    if (end === i + scheme) {
      from = end;
      continue;
    }
    const full = end;
    while (end > i && trailingPunctuation(text.charCodeAt(end - 1))) end--;
    if (end - i >= 8) found.push({ index: i, url: text.slice(i, end) });
    from = full;
  }
  return found;
}
