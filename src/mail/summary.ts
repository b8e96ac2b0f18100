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

/** Bidi controls and other invisible formatting characters that can disguise text (T31). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Makes header text safe to show on one line: no bidi overrides, no control characters. */
export function displaySafe(text: string): string {
  return text.replace(BIDI, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
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
    const text = rest.subarray(partEnd).toString('latin1').split(/\r?\n--/)[0] ?? '';
    return clip(decodeBody(Buffer.from(text, 'latin1'), pcte, pcharset));
  }
  return '';
}

function decodeBody(body: Buffer, cte: string, charset: string): string {
  let bytes: Buffer = body.subarray(0, 4 * SNIPPET_CHARS * 4);
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
  const s = displaySafe(text.replace(/\uFFFD/g, ''));
  return s.length > SNIPPET_CHARS ? `${s.slice(0, SNIPPET_CHARS - 1)}…` : s;
}
