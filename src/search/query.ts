// The search query language, pure (no editor imports):
//
//   invoice 2041            words: every one must occur (subject, body, names, attachment names)
//   inv*                    a prefix; with `lastWordPrefix` the last word typed is one too
//   "build failed"          a phrase: the words next to each other
//   from:alice to:bob subject:"quarterly report"
//   has:attachment is:unread is:read before:2026-11-01 after:2026-10
//
// Diacritics and case never matter (tokenize.ts). before:D means dated
// before D, after:D dated on or after D (local days; YYYY-MM is the first of
// the month), as in Go to Message. An unknown `word:` is searched as words,
// so "Re: lunch" still works.

import { fold, terms } from './tokenize';

export type Clause =
  | { readonly kind: 'word'; readonly term: string }
  | { readonly kind: 'prefix'; readonly term: string }
  | { readonly kind: 'phrase'; readonly terms: readonly string[] };

export interface SearchQuery {
  readonly clauses: readonly Clause[];
  /** Folded substrings: every one must occur in the field. */
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly subject: readonly string[];
  readonly hasAttachment?: boolean;
  /** true: is:unread, false: is:read. */
  readonly unread?: boolean;
  /** Epoch milliseconds: date < before, date >= after. */
  readonly before?: number;
  readonly after?: number;
  /** The filters that were not understood, as typed. */
  readonly problems: readonly string[];
}

/** Implicit prefixes shorter than this stay whole words (one letter would match half the dictionary). */
const MIN_IMPLICIT_PREFIX = 2;

interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/** Splits on whitespace keeping "quoted phrases" (also after key:) together. One pass, no regex. */
export function splitQuery(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let value = '';
    let quoted = false;
    while (i < text.length && !/\s/.test(text[i]!)) {
      if (text[i] === '"') {
        quoted = true;
        const close = text.indexOf('"', i + 1);
        value += text.slice(i + 1, close === -1 ? text.length : close);
        i = close === -1 ? text.length : close + 1;
      } else value += text[i++];
    }
    if (value !== '') out.push({ text: value, quoted });
  }
  return out;
}

/** Local midnight of YYYY-MM-DD or YYYY-MM, in epoch milliseconds. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const d = new Date(year, month - 1, day);
  return d.getMonth() === month - 1 ? d.getTime() : undefined;
}

export function parseSearchQuery(text: string, options: { lastWordPrefix?: boolean } = {}): SearchQuery {
  const clauses: Clause[] = [];
  const from: string[] = [];
  const to: string[] = [];
  const subject: string[] = [];
  const problems: string[] = [];
  let hasAttachment: boolean | undefined;
  let unread: boolean | undefined;
  let before: number | undefined;
  let after: number | undefined;
  const tokens = splitQuery(text);
  const endsOpen = options.lastWordPrefix === true && text !== '' && !/\s$/.test(text);
  tokens.forEach((token, index) => {
    const colon = token.text.indexOf(':');
    const key = colon > 0 ? token.text.slice(0, colon).toLowerCase() : '';
    const value = colon > 0 ? token.text.slice(colon + 1) : token.text;
    const lower = value.toLowerCase();
    switch (key) {
      case 'from':
      case 'to':
      case 'subject':
        if (value.trim() !== '') (key === 'from' ? from : key === 'to' ? to : subject).push(fold(value.trim()));
        return;
      case 'has':
        if (lower === 'attachment' || lower === 'attachments') hasAttachment = true;
        else problems.push(token.text);
        return;
      case 'is':
        if (lower === 'unread') unread = true;
        else if (lower === 'read') unread = false;
        else problems.push(token.text);
        return;
      case 'before':
      case 'after': {
        const day = parseDay(value);
        if (day === undefined) problems.push(token.text);
        else if (key === 'before') before = day;
        else after = day;
        return;
      }
    }
    const words = terms(token.text);
    if (token.quoted && words.length > 1) {
      clauses.push({ kind: 'phrase', terms: words });
      return;
    }
    const star = !token.quoted && token.text.endsWith('*');
    const last = index === tokens.length - 1 && endsOpen && !token.quoted;
    words.forEach((term, k) => {
      const final = k === words.length - 1;
      if (final && (star || (last && term.length >= MIN_IMPLICIT_PREFIX))) clauses.push({ kind: 'prefix', term });
      else clauses.push({ kind: 'word', term });
    });
  });
  return { clauses, from, to, subject, hasAttachment, unread, before, after, problems };
}

/** True when the query asks for anything at all. */
export function isEmptyQuery(q: SearchQuery): boolean {
  return (
    q.clauses.length === 0 &&
    q.from.length === 0 &&
    q.to.length === 0 &&
    q.subject.length === 0 &&
    q.hasAttachment === undefined &&
    q.unread === undefined &&
    q.before === undefined &&
    q.after === undefined
  );
}

/** The terms a result's snippet marks. */
export function highlightTerms(q: SearchQuery): { exact: Set<string>; prefixes: string[] } {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const c of q.clauses) {
    if (c.kind === 'word') exact.add(c.term);
    else if (c.kind === 'prefix') prefixes.push(c.term);
    else for (const t of c.terms) exact.add(t);
  }
  return { exact, prefixes };
}
