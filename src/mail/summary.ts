// The summary of a message for the index, from its header block and the first
// bytes of its body: no full MIME parse (that happens when a message is opened).

import { decodeCharset } from './encoded-words';
import { HeaderBlock, headerEnd, parseAddressList, parseDate } from './headers';
import { messageIdOf, referencesOf } from './message-ids';

export interface HeaderSummary {
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly to: string;
  readonly date: string;
  readonly hasAttachments: boolean;
  readonly snippet: string;
  /** Message-ID without its angle brackets; absent when the header is missing or unusable. */
  readonly messageId?: string;
  /**
   * The messages this one answers, for threading: the ids of References
   * (oldest first) and then In-Reply-To's when References lacks it, joined
   * by single spaces (an id never holds whitespace); absent when none.
   */
  readonly references?: string;
}

/** How many bytes of a message the summary needs at most (headers plus a body start). */
export const SUMMARY_PREFIX_BYTES = 64 * 1024;
const SNIPPET_CHARS = 100;

/** What displaySafe does with a character: keeps it, drops it, or makes it (part of) one space. */
const KEEP = 0;
const DROP = 1;
const SPACE = 2;

function kindOf(c: number): number {
  // Bidi controls and other invisible formatting characters that can disguise text (T31).
  if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return DROP;
  // Control characters, and what a regular expression's \s matches.
  if (c <= 0x20 || c === 0x7f || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029) return SPACE;
  if (c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) return SPACE;
  return KEEP;
}

/**
 * Makes header text safe to show on one line: bidi controls removed,
 * control characters and runs of white space made one space, none at
 * either end. At most `maxChars` of the result are made: a snippet stops
 * reading its text once it has them. One walk, copying runs of kept
 * characters (five calls per message summarised).
 */
export function displaySafe(text: string, maxChars = Infinity): string {
  let out = '';
  let space = false;
  let run = -1;
  for (let i = 0; i < text.length; i++) {
    const kind = kindOf(text.charCodeAt(i));
    if (kind === KEEP) {
      if (run === -1) {
        if (space) out += ' ';
        space = false;
        run = i;
      }
      continue;
    }
    if (run !== -1) {
      out += text.slice(run, i);
      run = -1;
      if (out.length >= maxChars) return out.slice(0, maxChars);
    }
    if (kind === SPACE && out.length > 0) space = true;
  }
  if (run !== -1) out += text.slice(run);
  return out.length > maxChars ? out.slice(0, maxChars) : out;
}

/**
 * Summarises a message from a prefix of its bytes. `prefix` should hold the
 * whole header block (up to SUMMARY_PREFIX_BYTES); a longer header block is
 * summarised from what is there.
 */
export function summarize(prefix: Buffer): HeaderSummary {
  const headers = HeaderBlock.parse(prefix);
  const from = parseAddressList(headers.raw('from') ?? '')[0] ?? { name: '', address: '' };
  const to = parseAddressList(headers.raw('to') ?? '')
    .map((a) => (a.name ? `${a.name} <${a.address}>` : a.address))
    .join(', ');
  const contentType = (headers.raw('content-type') ?? 'text/plain').toLowerCase();
  const end = headerEnd(prefix);
  const body = end === -1 ? Buffer.alloc(0) : prefix.subarray(end);
  return {
    subject: displaySafe(headers.text('subject')),
    from: { name: displaySafe(from.name), address: displaySafe(from.address) },
    to: displaySafe(to),
    date: parseDate(headers.raw('date')),
    hasAttachments: /^multipart\/mixed/.test(contentType) && /^content-disposition:\s*attachment|filename\*?=/im.test(body.toString('latin1')),
    snippet: snippetOf(headers, contentType, body),
    ...threadFields(headers),
  };
}

/** The threading fields, left out when a message has none (old index lines have none either). */
function threadFields(headers: HeaderBlock): { messageId?: string; references?: string } {
  const out: { messageId?: string; references?: string } = {};
  const id = messageIdOf(headers.raw('message-id'));
  if (id !== undefined) out.messageId = id;
  const refs = referencesOf(headers.raw('references'), headers.raw('in-reply-to'));
  if (refs !== undefined) out.references = refs;
  return out;
}

function snippetOf(headers: HeaderBlock, contentType: string, body: Buffer): string {
  const charset = /charset="?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  const cte = (headers.raw('content-transfer-encoding') ?? '7bit').toLowerCase().trim();
  if (contentType.startsWith('text/plain')) return clip(decodeBody(body, cte, charset));
  if (contentType.startsWith('multipart/')) {
    // The first text/plain part within the prefix, if it starts there.
    const part = /content-type:\s*text\/plain[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/i.exec(body.toString('latin1'));
    if (!part) return '';
    const rest = body.subarray(part.index);
    const partEnd = headerEnd(rest);
    if (partEnd === -1) return '';
    const partHeaders = HeaderBlock.parse(rest);
    const pct = (partHeaders.raw('content-type') ?? '').toLowerCase();
    const pcharset = /charset="?([^";\s]+)/i.exec(pct)?.[1] ?? 'utf-8';
    const pcte = (partHeaders.raw('content-transfer-encoding') ?? '7bit').toLowerCase().trim();
    // Only decodeBody's window can reach the snippet: cut there (plus what
    // a boundary line's start takes), not after splitting up to 64 KB.
    const window = rest.toString('latin1', partEnd, partEnd + BODY_WINDOW + 3);
    const boundary = window.indexOf('\n--');
    const text = boundary === -1 ? window : window.slice(0, window[boundary - 1] === '\r' ? boundary - 1 : boundary);
    return clip(decodeBody(Buffer.from(text, 'latin1'), pcte, pcharset));
  }
  return '';
}

/** The body bytes a snippet is decoded from: enough for SNIPPET_CHARS in any encoding. */
const BODY_WINDOW = 4 * SNIPPET_CHARS * 4;

function decodeBody(body: Buffer, cte: string, charset: string): string {
  let bytes: Buffer = body.subarray(0, BODY_WINDOW);
  if (cte === 'base64') {
    const b64 = bytes.toString('latin1').replace(/[^A-Za-z0-9+/]/g, '');
    bytes = Buffer.from(b64.slice(0, b64.length - (b64.length % 4)), 'base64');
  }  else if (cte === 'quoted-printable') {
    const qp = bytes.toString('latin1').replace(/=\r?\n/g, '');
    bytes = Buffer.from(qp.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  }
  return decodeCharset(bytes, charset);
}

function clip(text: string): string {
  // One more than is shown tells whether the text goes on.
  const s = displaySafe(text.replace(/\uFFFD/g, ''), SNIPPET_CHARS + 1);
  return s.length > SNIPPET_CHARS ? `${s.slice(0, SNIPPET_CHARS - 1)}…` : s;
}
