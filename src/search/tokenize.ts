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

/** The folded words of `text`, in order. */
export function terms(text: string): string[] {
  const out: string[] = [];
  eachTerm(fold(text), (t) => out.push(t));
  return out;
}

/** A word of a query or a document, with where it is in the original text (for highlights). */
export interface Located {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The words of `text` with their offsets in `text` itself. Folding may change
 * a string's length (NFKD splits é into two code units), so each word is
 * folded on its own and the offsets come from the original.
 */
export function locatedTerms(text: string, max = Infinity): Located[] {
  const out: Located[] = [];
  const raw = /[\p{L}\p{N}\p{M}]+/gu;
  for (const m of text.matchAll(raw)) {
    if (out.length >= max) break;
    for (const term of terms(m[0])) {
      out.push({ term, start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}
