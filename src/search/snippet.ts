// A result's snippet: a short window of the message's text around the first
// matched word, on one line, with the ranges of the matched words (for a
// QuickPick's highlights or a terminal's emphasis). Also the phrase check:
// the words of a "phrase" next to each other in one field.

import type { SearchDocument } from './document';
import { highlightTerms, type SearchQuery } from './query';
import { locatedTerms, terms, type Located } from './tokenize';

export const SNIPPET_CHARS = 160;
/** Words looked at per field: the start of a very long body is enough for a snippet. */
const SCAN_CHARS = 64 * 1024;

export interface Snippet {
  readonly text: string;
  /** [start, end) ranges in `text`. */
  readonly highlights: ReadonlyArray<readonly [number, number]>;
}

function matcher(q: SearchQuery): (term: string) => boolean {
  const { exact, prefixes } = highlightTerms(q);
  return (term) => exact.has(term) || prefixes.some((p) => term.startsWith(p));
}

/** Collapses blanks (keeping length bookkeeping simple: one pass, one output). */
function oneLine(text: string): string {
  let out = '';
  let blank = false;
  for (const ch of text) {
    const isBlank = ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\u00a0' || ch === '\f' || ch === '\v';
    if (isBlank) {
      if (!blank && out !== '') out += ' ';
      blank = true;
    } else {
      out += ch;
      blank = false;
    }
  }
  return out.trimEnd();
}

/** Marks the matched words of an already one-line text. */
export function highlight(text: string, q: SearchQuery): [number, number][] {
  const hit = matcher(q);
  return locatedTerms(text)
    .filter((w) => hit(w.term))
    .map((w) => [w.start, w.end] as [number, number]);
}

/** The snippet of a document for a query: around the first match in the body, else the body's start. */
export function makeSnippet(doc: SearchDocument, q: SearchQuery): Snippet {
  const hit = matcher(q);
  const body = doc.body.slice(0, SCAN_CHARS);
  let first: { start: number } | undefined;
  eachLocated(body, (w) => {
    if (!hit(w.term)) return false;
    first = w;
    return true;
  });
  let start = 0;
  if (first) {
    start = Math.max(0, first.start - 40);
    // Start on a word boundary.
    while (start > 0 && start < first.start && /[\p{L}\p{N}]/u.test(body[start - 1]!)) start++;
  }
  const raw = oneLine(body.slice(start, start + SNIPPET_CHARS * 2)).slice(0, SNIPPET_CHARS);
  const text = (start > 0 ? '\u2026' : '') + raw;
  return { text, highlights: highlight(text, q) };
}

/** Visits the located words of `text` a bounded batch at a time, until `visit` returns true. */
function eachLocated(text: string, visit: (w: Located) => boolean): void {
  // Words are found from the start; a window of text at a time keeps a match near the start cheap.
  const WINDOW = 2048;
  for (let from = 0; from < text.length; from += WINDOW) {
    // Extend the window to the next blank so no word is cut in two.
    let to = Math.min(text.length, from + WINDOW);
    while (to < text.length && !/\s/.test(text[to]!)) to++;
    for (const w of locatedTerms(text.slice(from, to))) if (visit({ term: w.term, start: w.start + from, end: w.end + from })) return;
    from = to - WINDOW;
  }
}

function hasSequence(words: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let k = 0; k < phrase.length; k++) if (words[i + k] !== phrase[k]) continue outer;
    return true;
  }
  return false;
}

/** True when every phrase of the query occurs, words in order and adjacent, in one field of the document. */
export function hasPhrases(doc: SearchDocument, q: SearchQuery): boolean {
  const phrases = q.clauses.flatMap((c) => (c.kind === 'phrase' ? [c.terms] : []));
  if (phrases.length === 0) return true;
  const fields = [doc.subject, doc.from, doc.to, doc.cc, ...doc.attachments, doc.body].map((f) => terms(f));
  return phrases.every((p) => fields.some((words) => hasSequence(words, p)));
}
