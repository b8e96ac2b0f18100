// Words as the index sees them: Unicode NFKD with the combining marks taken
// away (so "cafe" finds "café" and "ﬁle" finds "file"), lower case, runs of
// letters and digits. Pure and linear: one normalisation pass, one regex of
// a single character class (it cannot backtrack), and a cap on word length
// so a 64 KB run of one letter is one bounded word, not a costly one.

/** Longer runs are cut: nobody searches for a 65-letter word, and the dictionary stays small. */
export const MAX_TERM_CHARS = 64;

const MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

const NOT_ASCII = /[\u0080-\uffff]/;

/** Text folded for matching: NFKD, combining marks removed, lower case. */
export function fold(text: string): string {
  // ASCII text is its own NFKD and has no marks: most headers need only the case.
  if (!NOT_ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** Folded terms of recent non-ASCII words: names and accented words repeat from message to message. */
const foldCache = new Map<string, readonly string[]>();
const FOLD_CACHE_WORDS = 4096;

/** The terms of one word that holds a non-ASCII character (usually one; NFKD may split it, as "½" gives 1 and 2). */
function wideTerms(word: string): readonly string[] {
  let terms = foldCache.get(word);
  if (terms) return terms;
  const out: string[] = [];
  eachTerm(fold(word), (t) => out.push(t));
  terms = out;
  // Bounded: a message of a million different accented words cannot grow it.
  if (foldCache.size >= FOLD_CACHE_WORDS) foldCache.clear();
  foldCache.set(word, terms);
  return terms;
}

/** Calls `onTerm` for every word of already folded text, in order. */
export function eachTerm(folded: string, onTerm: (term: string) => void): void {
  for (const m of folded.matchAll(WORD)) {
    const word = m[0];
    onTerm(word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word);
  }
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/**
 * The same words as eachTerm(fold(text)), faster on mostly-ASCII mail: one
 * scan by character code; only a word that holds a non-ASCII character is
 * normalised (on its own), instead of the whole text.
 */
export function eachTermOf(text: string, onTerm: (term: string) => void): void {
  eachWord(text, (start, end, wide) => {
    const word = text.slice(start, end);
    if (wide) eachTerm(fold(word), onTerm);
    else onTerm(asciiTerm(word));
    return true;
  });
}

/**
 * The same words as eachTermOf, for the index's dictionary, which looks a
 * word up by its place in `text`: an ASCII word comes as its offsets (cut
 * to MAX_TERM_CHARS; no string is made for it, and the dictionary lowers
 * its capitals) and its hash under `seed`, computed in the same pass; any
 * other word as its folded terms.
 */
export function eachTermRange(text: string, seed: number, onAscii: (start: number, end: number, hash: number, seed: number) => void, onTerm: (term: string) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!startsWord(text, i)) {
      i++;
      continue;
    }
    let c = 0;
    const start = i;
    const cut = start + MAX_TERM_CHARS;
    let h = seed;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (!isAsciiWordChar(c)) break;
      if (i < cut) h = hashStep(h, c);
    }
    const end = i < n && c >= 0x80 ? wordEnd(text, i) : i;
    if (end === i) {
      onAscii(start, Math.min(i, cut), hashEnd(h), seed);
      continue;
    }
    // The word goes on with a non-ASCII letter: all of it goes the folding way.
    i = end;
    for (const t of wideTerms(text.slice(start, i))) onTerm(t);
  }
}

/** The end of the word that goes on at `i` (letters, digits, marks; surrogate pairs whole). */
function wordEnd(text: string, from: number): number {
  const n = text.length;
  let i = from;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isAsciiWordChar(c)) continue;
    if (c < 0x80) break;
    const ch = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? text.slice(i, i + 2) : text[i]!;
    if (!WORD_CHAR.test(ch)) break;
    i += ch.length - 1;
  }
  return i;
}

/** One character into a term's hash (seeded; ASCII capitals lowered, as terms are stored lower case). */
export const hashStep = (h: number, c: number): number => Math.imul(h ^ (c >= 0x41 && c <= 0x5a ? c + 0x20 : c), 0x9e3779b1);

/** The last mixing of a term's hash. */
export function hashEnd(h: number): number {
  const x = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return x ^ (x >>> 13);
}

const isAsciiWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

const asciiTerm = (word: string): string => (word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word).toLowerCase();

/**
 * Calls `onWord` with the offsets of each run of letters and digits in
 * `text` and whether it holds a non-ASCII character (only such a word needs
 * folding). One pass by character code; stops when `onWord` returns false.
 */
function eachWord(text: string, onWord: (start: number, end: number, wide: boolean) => boolean): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!startsWord(text, i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isAsciiWordChar(text.charCodeAt(i))) i++;
    const end = i < n && text.charCodeAt(i) >= 0x80 ? wordEnd(text, i) : i;
    const wide = end > i;
    i = end;
    if (!onWord(start, end, wide)) return;
  }
}

/** Whether a word (letters, digits, marks) starts at `i`. */
function startsWord(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAsciiWordChar(c) || (c >= 0x80 && WORD_CHAR.test(text[i]!));
}

/** The folded words of `text`, in order. */
export function terms(text: string): string[] {
  const out: string[] = [];
  eachTermOf(text, (t) => out.push(t));
  return out;
}

/** A word of a query or a document, with where it is in the original text (for highlights). */
export interface Located {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The words of `text` with their offsets in `text` itself (for highlights),
 * the same words as terms(text). Folding may change a string's length (NFKD
 * splits é in two), so only a word with a non-ASCII character is folded, on
 * its own, and the offsets always come from the original. Stops after `max`.
 */
export function locatedTerms(text: string, max = Infinity): Located[] {
  const out: Located[] = [];
  if (max <= 0) return out;
  eachWord(text, (start, end, wide) => {
    const word = text.slice(start, end);
    if (wide) eachTerm(fold(word), (term) => out.push({ term, start, end }));
    else out.push({ term: asciiTerm(word), start, end });
    return out.length < max;
  });
  return out;
}
