// Message-ID, References and In-Reply-To (RFC 5322 section 3.6.4) reduced to
// what threading needs: bare ids. Mail in the wild breaks the grammar
// (comments, missing brackets, folded ids, thousands of references), so the
// reading is a tolerant scan in one pass over the header, never a regex that
// could backtrack on a long run of one character.

/** Longer ids are not real ones (RFC 5322 lines stop at 998); they are dropped. */
const MAX_ID_LENGTH = 250;
/**
 * References kept per message. The first (the thread's root) and the last
 * ones (the nearest ancestors) are what link a reply; a hostile header with
 * thousands of ids would only bloat the index.
 */
const MAX_REFERENCES = 32;
/** And at most this many characters of them: a summary line stays small whatever the header holds. */
const MAX_REFERENCES_CHARS = 2048;

/** An id's text without whitespace (folding may split it), or undefined when it is not usable. */
function cleanId(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) continue;
    // Control characters (NUL above all: the index snapshot ends texts with it) and brackets make no id.
    if (c < 0x20 || c === 0x7f || c === 0x3c || c === 0x3e) return undefined;
    out += text[i];
    if (out.length > MAX_ID_LENGTH) return undefined;
  }
  return out === '' ? undefined : out;
}

/**
 * The ids in a header value, in order: each `<...>`, or when there is none,
 * each whitespace-separated word holding an "@" (clients that drop the
 * brackets). Linear: every search starts where the last one ended.
 */
export function idsIn(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids: string[] = [];
  let pos = 0;
  for (;;) {
    const open = value.indexOf('<', pos);
    if (open === -1) break;
    const close = value.indexOf('>', open + 1);
    if (close === -1) break;
    // "<a <b@c>": the id is the innermost; lastIndexOf stops at `open` at the latest.
    const start = value.lastIndexOf('<', close);
    const id = cleanId(value.slice(start + 1, close));
    if (id !== undefined) ids.push(id);
    pos = close + 1;
  }
  if (ids.length > 0 || value.includes('<')) return ids;
  for (const word of value.split(/[ \t\r\n]+/)) {
    if (!word.includes('@')) continue;
    const id = cleanId(word);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** The Message-ID header's id, or undefined. */
export function messageIdOf(value: string | undefined): string | undefined {
  return idsIn(value)[0];
}

/**
 * The ids a message answers, oldest first, as one space-separated string
 * (the form the index keeps), or undefined when there are none. References
 * comes first; In-Reply-To's first id is added when References lacks it
 * (some clients send only In-Reply-To). Repeats are dropped; past
 * MAX_REFERENCES ids or MAX_REFERENCES_CHARS characters the root and the
 * nearest ancestors are kept.
 */
export function referencesOf(references: string | undefined, inReplyTo: string | undefined): string | undefined {
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const id of idsIn(references)) {
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  const parent = idsIn(inReplyTo)[0];
  if (parent !== undefined && !seen.has(parent)) ids.push(parent);
  if (ids.length === 0) return undefined;
  // The root, then the nearest ancestors going back while they fit.
  const nearest: string[] = [];
  let chars = ids[0]!.length;
  for (let k = ids.length - 1; k > 0 && nearest.length < MAX_REFERENCES - 1; k--) {
    chars += 1 + ids[k]!.length;
    if (chars > MAX_REFERENCES_CHARS) break;
    nearest.push(ids[k]!);
  }
  return [ids[0]!, ...nearest.reverse()].join(' ');
}
