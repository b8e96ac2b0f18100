// What the index reads from a stored message: the decoded text of its text
// and HTML parts (tags stripped, entities decoded, any charset), subject,
// the names and addresses of From/To/Cc, and attachment file names.
// Attachment bodies are never decoded: they cost time and hold no words.
// Reuses the viewer's bounded MIME scan and decoders (src/mail).

import { safeFileName } from '../mail/filename';
import { decodeEncodedWords } from '../mail/encoded-words';
import { headerEnd, parseAddressList, parseDate } from '../mail/headers';
import { htmlToText } from '../mail/html-text';
import { decodeFlowed, decodeText, decodeTransfer, sniffHtmlCharset } from '../mail/mime-decode';
import { bytesToText, parseParams } from '../mail/mime-headers';
import { DEFAULT_LIMITS, headerValue, scanMime, type MimeNode } from '../mail/mime-tree';
import { displaySafe } from '../mail/summary';

/** Decoded text indexed per message at most: the start of a huge log mail is what people search. */
export const MAX_BODY_CHARS = 512 * 1024;

export interface SearchDocument {
  readonly subject: string;
  /** "Name <address>" of From, To and Cc, one line each. */
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly attachments: readonly string[];
  readonly body: string;
  /** ISO date or ''. */
  readonly date: string;
  readonly hasAttachments: boolean;
}

function addressLine(node: MimeNode, name: string): string {
  const value = headerValue(node, name);
  if (value === undefined) return '';
  return displaySafe(
    parseAddressList(bytesToText(value))
      .slice(0, 500)
      .map((a) => (a.name ? `${a.name} <${a.address}>` : a.address))
      .join(', '),
  );
}

function fileName(node: MimeNode): string | undefined {
  const d = parseParams(headerValue(node, 'content-disposition') ?? '');
  const name = d.params.get('filename') ?? node.params.get('name');
  return name ? safeFileName(name) : undefined;
}

function isAttachment(node: MimeNode): boolean {
  const d = parseParams(headerValue(node, 'content-disposition') ?? '').value.toLowerCase();
  if (d === 'attachment') return true;
  if (node.contentType !== 'text/plain' && node.contentType !== 'text/html') return true;
  return fileName(node) !== undefined;
}

function partText(raw: Buffer, node: MimeNode): string {
  const bytes = decodeTransfer(raw.subarray(node.bodyStart, Math.max(node.bodyStart, node.end)), headerValue(node, 'content-transfer-encoding'));
  if (node.contentType === 'text/html') return htmlToText(decodeText(bytes, node.params.get('charset') ?? sniffHtmlCharset(bytes)));
  const text = decodeText(bytes, node.params.get('charset'));
  return node.params.get('format')?.toLowerCase() === 'flowed' ? decodeFlowed(text, node.params.get('delsp')?.toLowerCase() === 'yes') : text;
}

/** The MIME tree, or only the root's headers for a bomb (T28), or nothing for a monstrous header block. */
function scanBounded(raw: Buffer): MimeNode | undefined {
  try {
    return scanMime(raw, { ...DEFAULT_LIMITS, maxMessageBytes: Number.MAX_SAFE_INTEGER }).root;
  } catch {
    try {
      // The header block alone (no body, so no parts): subject and names stay searchable.
      const end = headerEnd(raw);
      const root = scanMime(raw.subarray(0, end === -1 ? Math.min(raw.length, 256 * 1024) : end), DEFAULT_LIMITS).root;
      root.children.length = 0;
      root.bodyStart = root.end;
      return root;
    } catch {
      return undefined;
    }
  }
}

/**
 * The searchable text of a message. Never throws for malformed mail; a
 * message over the viewer's limits is indexed by its headers alone.
 */
export function searchDocument(raw: Buffer): SearchDocument {
  const root = scanBounded(raw);
  if (!root) return { subject: '', from: '', to: '', cc: '', attachments: [], body: '', date: '', hasAttachments: false };
  const attachments: string[] = [];
  const texts: string[] = [];
  let length = 0;
  const visit = (node: MimeNode): void => {
    if (node.contentType === 'multipart/alternative') {
      // The same words twice (plain and HTML): read the plain one when it
      // has text, else the others. Attachments inside are still listed.
      const plain = node.children.find((c) => c.contentType === 'text/plain' && !isAttachment(c) && c.end > c.bodyStart);
      for (const child of node.children) if (!plain || child === plain || isAttachment(child) || child.contentType.startsWith('multipart/')) visit(child);
      return;
    }
    if (node.contentType.startsWith('multipart/')) {
      for (const child of node.children) visit(child);
      return;
    }
    if (node !== root && node.contentType === 'message/rfc822') {
      attachments.push(fileName(node) ?? 'forwarded-message.eml');
      return;
    }
    if (isAttachment(node)) {
      const name = fileName(node);
      if (name !== undefined) attachments.push(name);
      else if (node !== root || node.contentType !== 'text/plain') attachments.push('');
      return;
    }
    if (length >= MAX_BODY_CHARS) return;
    const text = partText(raw, node);
    texts.push(text.slice(0, MAX_BODY_CHARS - length));
    length += text.length;
  };
  // Recursion is bounded: scanMime refuses nesting deeper than its limit (T28).
  visit(root);
  return {
    subject: displaySafe(decodeEncodedWords(bytesToText(headerValue(root, 'subject') ?? ''))),
    from: addressLine(root, 'from'),
    to: addressLine(root, 'to'),
    cc: addressLine(root, 'cc'),
    attachments: attachments.filter((a) => a !== ''),
    body: texts.join('\n'),
    date: parseDate(headerValue(root, 'date')),
    hasAttachments: attachments.length > 0,
  };
}
