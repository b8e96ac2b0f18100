// Words as the index sees them: Unicode NFKD with the combining marks taken
// away (so "cafe" finds "café" and "ﬁle" finds "file"), lower case, runs of
// letters and digits. Pure and linear: one normalisation pass, one regex of
// a single character class (it cannot backtrack), and a cap on word length
// so a 64 KB run of one letter is one bounded word, not a costly one.

/** Longer runs are cut: nobody searches for a 65-letter word, and the dictionary stays small. */
export const MAX_TERM_CHARS = 64;

const MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** Text folded for matching: NFKD, combining marks removed, lower case. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
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
  eachWord(text, (word, wide) => {
    if (wide) eachTerm(fold(word), onTerm);
    else onTerm(asciiTerm(word));
    return true;
  });
}

const isAsciiWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

const asciiTerm = (word: string): string => (word.length > MAX_TERM_CHARS ? word.slice(0, MAX_TERM_CHARS) : word).toLowerCase();

/**
 * Calls `onWord` with each run of letters and digits in `text`, its offsets,
 * and whether it holds a non-ASCII character (only such a word needs
 * folding). One pass by character code; stops when `onWord` returns false.
 */
function eachWord(text: string, onWord: (word: string, wide: boolean, start: number, end: number) => boolean): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (!isAsciiWordChar(c) && (c < 0x80 || !WORD_CHAR.test(text[i]!))) {
      i++;
      continue;
    }
    const start = i;
    let wide = false;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (isAsciiWordChar(c)) continue;
      if (c < 0x80) break;
      // A surrogate pair is one character: test both halves together.
      const ch = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? text.slice(i, i + 2) : text[i]!;
      if (!WORD_CHAR.test(ch)) break;
      wide = true;
      i += ch.length - 1;
    }
    if (!onWord(text.slice(start, i), wide, start, i)) return;
  }
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
  eachWord(text, (word, wide, start, end) => {
    if (wide) eachTerm(fold(word), (term) => out.push({ term, start, end }));
    else out.push({ term: asciiTerm(word), start, end });
    return out.length < max;
  });
  return out;
}
