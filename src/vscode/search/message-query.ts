// "Go to Message...": the query language and the fuzzy matcher. Pure: no
// vscode import, unit-tested directly.
//
//   from:alice  subject:"quarterly report"  has:attachment  is:unread  is:read
//   before:2026-11-01  after:2026-10  and free words, fuzzy on subject and sender
//
// before:D means "dated before D" and after:D "dated on or after D" (local
// days; YYYY-MM means the first of that month). Unknown `word:` prefixes are
// free text, so a subject like "Re: lunch" can still be typed.

import { l10n } from '../common/l10n';
import { parseDay as parseDayMs, splitQuery } from '../../search/query';

export interface Searchable {
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly date: string;
  readonly seen: boolean;
  readonly hasAttachments: boolean;
}

export interface MessageQuery {
  /** Free words, lower case; each must match subject or sender fuzzily. */
  readonly words: readonly string[];
  /** Substrings (lower case) of the sender's name or address; all must match. */
  readonly from: readonly string[];
  /** Substrings (lower case) of the subject; all must match. */
  readonly subject: readonly string[];
  readonly hasAttachment?: boolean;
  /** true: is:unread, false: is:read. */
  readonly unread?: boolean;
  /** ISO bounds: date < before, date >= after. */
  readonly before?: string;
  readonly after?: string;
  /** Filters that were not understood, for the QuickPick's message. */
  readonly problems: readonly string[];
}

/** Splits on whitespace, keeping "quoted phrases" (also after a prefix: subject:"a b") together: the search index's reading. */
export function tokenize(text: string): string[] {
  return splitQuery(text).map((t) => t.text);
}

/** Local midnight of YYYY-MM-DD or YYYY-MM as an ISO string, or undefined. */
export function parseDay(text: string): string | undefined {
  const ms = parseDayMs(text);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export function parseQuery(text: string): MessageQuery {
  const words: string[] = [];
  const from: string[] = [];
  const subject: string[] = [];
  const problems: string[] = [];
  let hasAttachment: boolean | undefined;
  let unread: boolean | undefined;
  let before: string | undefined;
  let after: string | undefined;
  for (const token of tokenize(text)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    const value = colon > 0 ? token.slice(colon + 1) : token;
    const lower = value.toLowerCase();
    switch (key) {
      case 'from':
        if (lower) from.push(lower);
        break;
      case 'subject':
        if (lower) subject.push(lower);
        break;
      case 'has':
        if (lower === 'attachment' || lower === 'attachments') hasAttachment = true;
        else problems.push(l10n.t('has:{0} (only has:attachment)', value));
        break;
      case 'is':
        if (lower === 'unread') unread = true;
        else if (lower === 'read') unread = false;
        else problems.push(l10n.t('is:{0} (is:unread or is:read)', value));
        break;
      case 'before':
      case 'after': {
        const day = parseDay(value);
        if (day === undefined) problems.push(l10n.t('{0}:{1} (a date like 2026-11-01 or 2026-11)', key, value));
        else if (key === 'before') before = day;
        else after = day;
        break;
      }
      default:
        words.push(token.toLowerCase());
    }
  }
  return { words, from, subject, hasAttachment, unread, before, after, problems };
}

/** True when the query has anything besides free words. */
export function hasFilters(q: MessageQuery): boolean {
  return q.from.length > 0 || q.subject.length > 0 || q.hasAttachment !== undefined || q.unread !== undefined || q.before !== undefined || q.after !== undefined;
}

/** The filters (not the free words) hold for this message. */
export function passesFilters(q: MessageQuery, m: Searchable): boolean {
  if (q.hasAttachment === true && !m.hasAttachments) return false;
  if (q.unread !== undefined && q.unread === m.seen) return false;
  if (q.before !== undefined && !(m.date !== '' && m.date < q.before)) return false;
  if (q.after !== undefined && !(m.date !== '' && m.date >= q.after)) return false;
  if (q.subject.length > 0) {
    const s = m.subject.toLowerCase();
    if (!q.subject.every((x) => s.includes(x))) return false;
  }
  if (q.from.length > 0) {
    const f = `${m.from.name}\n${m.from.address}`.toLowerCase();
    if (!q.from.every((x) => f.includes(x))) return false;
  }
  return true;
}

const WORD_START = /[\s\-_.@<("'[/]/;

/**
 * Fuzzy score of `pattern` (lower case) in `text`: every pattern character
 * in order; higher for consecutive runs, word starts and an early first hit.
 * undefined when it does not match. Linear in the text length.
 */
export function fuzzyScore(pattern: string, text: string): number | undefined {
  if (pattern === '') return 0;
  const lower = text.toLowerCase();
  // A plain substring is the best kind of match.
  const at = lower.indexOf(pattern);
  if (at !== -1) {
    const wordStart = at === 0 || WORD_START.test(lower[at - 1]!);
    return 100 + pattern.length * 10 + (wordStart ? 50 : 0) - Math.min(at, 50);
  }
  let score = 0;
  let p = 0;
  let run = 0;
  for (let i = 0; i < lower.length && p < pattern.length; i++) {
    if (lower[i] !== pattern[p]) {
      run = 0;
      continue;
    }
    run++;
    score += 1 + run * 2 + (i === 0 || WORD_START.test(lower[i - 1]!) ? 5 : 0);
    p++;
  }
  return p === pattern.length ? score : undefined;
}

/** Score of the free words against subject and sender; undefined when a word matches neither. */
export function wordsScore(words: readonly string[], m: Searchable): number | undefined {
  let total = 0;
  for (const word of words) {
    const s = fuzzyScore(word, m.subject);
    const f = fuzzyScore(word, `${m.from.name} ${m.from.address}`);
    if (s === undefined && f === undefined) return undefined;
    total += Math.max(s ?? 0, f ?? 0);
  }
  return total;
}

export interface Hit<T> {
  readonly message: T;
  readonly score: number;
}

/**
 * The best `limit` matches of the query in `list` (newest first). Without
 * free words the order stays by date; with words, by score, then by date.
 */
export function searchMessages<T extends Searchable>(list: readonly T[], q: MessageQuery, limit: number): { hits: Hit<T>[]; total: number } {
  const hits: Hit<T>[] = [];
  let total = 0;
  for (const m of list) {
    if (!passesFilters(q, m)) continue;
    const score = q.words.length === 0 ? 0 : wordsScore(q.words, m);
    if (score === undefined) continue;
    total++;
    if (q.words.length === 0) {
      if (hits.length < limit) hits.push({ message: m, score });
      continue;
    }
    hits.push({ message: m, score });
    // Keep memory bounded on huge result sets: trim now and then.
    if (hits.length >= limit * 4) trim(hits, limit);
  }
  if (q.words.length > 0) trim(hits, limit);
  return { hits, total };
}

/** Stable sort by score, descending (equal scores keep the date order), cut to limit. */
function trim<T>(hits: Hit<T>[], limit: number): void {
  const sorted = hits.map((h, i) => ({ h, i })).sort((a, b) => b.h.score - a.h.score || a.i - b.i);
  hits.length = 0;
  for (const { h } of sorted.slice(0, limit)) hits.push(h);
}
