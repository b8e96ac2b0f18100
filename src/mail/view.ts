// Full parse of a stored message into what the message view shows. Runs in
// the parse worker (parse-worker.ts), never on the extension host's main
// thread. The structure comes from scanMime (bounded, T28-T30); each text
// part is decoded on its own, so one part's broken HTML cannot swallow the
// next (T35). Not mailparser: it joins all HTML parts into one string and
// inlines cid: images itself, and its bundle made every worker start slow.
// Attachment bodies stay here: the view gets names, types and sizes, and
// opaque ids.

import type { AttachmentInfo, BodyPart, InlineImage, MessageView } from '../shared/webview-protocol';
import { safeFileName } from './filename';
import { decodeFlowed, decodeText, decodeTransfer, sniffHtmlCharset } from './mime-decode';
import { decodeEncodedWords } from './encoded-words';
import { parseAddressList, parseDate, type Address } from './headers';
import { bytesToText, parseParams } from './mime-headers';
import { DEFAULT_LIMITS, headerValue, scanMime, walk, type MimeLimits, type MimeNode, type MimeTree } from './mime-tree';
import { displaySafe } from './summary';

/** Longest HTML part handed to the webview (sanitizing more would stall it). */
export const MAX_HTML_CHARS = 4_000_000;
/** Longest text part handed to the webview. */
export const MAX_TEXT_CHARS = 2_000_000;
/** Largest inline (cid:) image turned into a data: URL, and all of them together. */
export const MAX_INLINE_IMAGE_BYTES = 1024 * 1024;
export const MAX_INLINE_IMAGES_TOTAL = 8 * 1024 * 1024;
/** Most body parts shown one after another. */
const MAX_BODY_PARTS = 50;

/** Image types the view shows inline; never SVG (it is a document, not a picture). */
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/gif', 'image/jpeg', 'image/jpg', 'image/webp', 'image/bmp']);

/** The view plus what only the host may know: which part each attachment id stands for. */
export interface ParsedMessage {
  readonly view: MessageView;
  readonly attachmentParts: ReadonlyArray<{ readonly id: string; readonly path: string }>;
}

/** Addresses of a header of the root part (raw 8-bit UTF-8 allowed, RFC 6532). */
function addresses(node: MimeNode, name: string): Address[] {
  const value = headerValue(node, name);
  return value === undefined ? [] : parseAddressList(bytesToText(value)).slice(0, 500);
}

function joined(list: readonly Address[]): string {
  return displaySafe(list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', '));
}

function bodyOf(raw: Buffer, node: MimeNode): Buffer {
  return decodeTransfer(raw.subarray(node.bodyStart, Math.max(node.bodyStart, node.end)), headerValue(node, 'content-transfer-encoding'));
}

function disposition(node: MimeNode): { type: string; filename: string | undefined } {
  const d = parseParams(headerValue(node, 'content-disposition') ?? '');
  return { type: d.value.toLowerCase(), filename: d.params.get('filename') ?? node.params.get('name') };
}

function isAttachment(node: MimeNode): boolean {
  const d = disposition(node);
  if (d.type === 'attachment') return true;
  if (node.contentType !== 'text/plain' && node.contentType !== 'text/html') return true;
  return d.filename !== undefined && d.filename !== '';
}

function contentId(node: MimeNode): string | undefined {
  const id = headerValue(node, 'content-id');
  if (!id) return undefined;
  const m = /<([^<>]{1,500})>/.exec(id) ?? /^\s*([^\s<>]{1,500})\s*$/.exec(id);
  return m?.[1];
}

function fallbackName(node: MimeNode): string {
  if (node.contentType === 'message/rfc822') return 'forwarded-message.eml';
  const sub = node.contentType.split('/')[1] ?? 'bin';
  return `attachment.${/^[a-z0-9]{1,8}$/.test(sub) ? sub : 'bin'}`;
}

class Builder {
  readonly body: BodyPart[] = [];
  readonly attachments: AttachmentInfo[] = [];
  readonly attachmentParts: { id: string; path: string }[] = [];
  readonly inlineImages: InlineImage[] = [];
  readonly notices: string[] = [];
  private inlineBytes = 0;

  constructor(private readonly raw: Buffer) {}

  text(node: MimeNode): string {
    const bytes = bodyOf(this.raw, node);
    let text = decodeText(bytes, node.params.get('charset'));
    if (node.params.get('format')?.toLowerCase() === 'flowed') text = decodeFlowed(text, node.params.get('delsp')?.toLowerCase() === 'yes');
    if (text.length > MAX_TEXT_CHARS) {
      this.notices.push('A text part is very long; only its beginning is shown.');
      text = `${text.slice(0, MAX_TEXT_CHARS)}\n\n[\u2026 truncated \u2026]`;
    }
    return text.replace(/\r\n?/g, '\n');
  }

  html(node: MimeNode): string {
    const bytes = bodyOf(this.raw, node);
    const html = decodeText(bytes, node.params.get('charset') ?? sniffHtmlCharset(bytes));
    if (html.length > MAX_HTML_CHARS) {
      this.notices.push('An HTML part is too long to show; its plain-text form is shown if there is one.');
      return '';
    }
    return html;
  }

  addBody(part: BodyPart): void {
    if (this.body.length >= MAX_BODY_PARTS) {
      if (this.body.length === MAX_BODY_PARTS) this.notices.push(`Only the first ${MAX_BODY_PARTS} body parts are shown.`);
      return;
    }
    this.body.push(part);
  }

  attachment(node: MimeNode): void {
    const id = `a${this.attachments.length + 1}`;
    const d = disposition(node);
    const size = bodyOf(this.raw, node).length;
    this.attachments.push({ id, name: safeFileName(d.filename, fallbackName(node)), contentType: node.contentType, size });
    this.attachmentParts.push({ id, path: node.path });
  }

  /** A cid: image for the HTML; false when it is not one (too big, not an image type). */
  inlineImage(node: MimeNode): boolean {
    const cid = contentId(node);
    if (!cid || !INLINE_IMAGE_TYPES.has(node.contentType)) return false;
    const bytes = bodyOf(this.raw, node);
    if (bytes.length > MAX_INLINE_IMAGE_BYTES || this.inlineBytes + bytes.length > MAX_INLINE_IMAGES_TOTAL) {
      this.notices.push('An inline image is too large to show; it is listed as an attachment.');
      return false;
    }
    this.inlineBytes += bytes.length;
    const type = node.contentType === 'image/jpg' ? 'image/jpeg' : node.contentType;
    this.inlineImages.push({ cid, dataUrl: `data:${type};base64,${bytes.toString('base64')}` });
    return true;
  }

  /** Walks the tree: body parts in order, alternatives as one unit, the rest as attachments. */
  visit(node: MimeNode): void {
    if (node.contentType === 'multipart/alternative' && node.children.length > 0) {
      const unit: { html?: string; text?: string } = {};
      for (const child of node.children) {
        if (child.contentType === 'text/plain' && !isAttachment(child)) unit.text = this.text(child);
        else if (child.contentType === 'text/html' && !isAttachment(child)) unit.html = this.html(child);
        else if (child.contentType === 'multipart/related' && child.children.length > 0) {
          const html = this.related(child);
          if (html !== undefined) unit.html = html;
        } else if (child.contentType.startsWith('multipart/')) this.visit(child);
        // Other alternatives (calendar, AMP, ...) are not shown.
      }
      if (unit.html === '') delete unit.html;
      if (unit.html !== undefined || unit.text !== undefined) this.addBody(unit);
      return;
    }
    if (node.contentType === 'multipart/related' && node.children.length > 0) {
      const html = this.related(node);
      if (html !== undefined) this.addBody({ html });
      return;
    }
    if (node.contentType.startsWith('multipart/')) {
      for (const child of node.children) this.visit(child);
      return;
    }
    if (isAttachment(node)) {
      this.attachment(node);
      return;
    }
    if (node.contentType === 'text/html') {
      const html = this.html(node);
      if (html !== '') this.addBody({ html });
    } else this.addBody({ text: this.text(node) });
  }

  /**
   * multipart/related: the root part (first, or the one named by `start`)
   * and the resources it refers to. Images with a Content-ID become data:
   * URLs; everything else is an attachment. Returns the root's HTML when the
   * root is an HTML part; otherwise the root is visited like any part.
   */
  private related(node: MimeNode): string | undefined {
    const start = node.params.get('start');
    const root = node.children.find((c) => start !== undefined && `<${contentId(c)}>` === start) ?? node.children[0]!;
    for (const child of node.children) {
      if (child === root) continue;
      if (disposition(child).type !== 'attachment' && this.inlineImage(child)) continue;
      this.visit(child);
    }
    if (root.contentType === 'text/html' && !isAttachment(root)) return this.html(root);
    this.visit(root);
    return undefined;
  }
}

/**
 * Parses a message into the view model. Throws MimeLimitError for bombs and
 * over-large messages (the caller shows its message); anything else that is
 * malformed becomes a notice.
 */
export function parseMessageView(id: string, raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): ParsedMessage {
  const tree: MimeTree = scanMime(raw, limits);
  const root = tree.root;
  const from = addresses(root, 'from')[0] ?? { name: '', address: '' };
  const builder = new Builder(raw);
  builder.visit(tree.root);
  for (const problem of tree.problems) builder.notices.push(`The message structure is damaged (${problem}); what could be read is shown.`);
  return {
    view: {
      id,
      subject: displaySafe(decodeEncodedWords(bytesToText(headerValue(root, 'subject') ?? ''))),
      from: { name: displaySafe(from.name), address: displaySafe(from.address) },
      to: joined(addresses(root, 'to')),
      cc: joined(addresses(root, 'cc')),
      date: parseDate(headerValue(root, 'date')),
      body: builder.body,
      attachments: builder.attachments,
      inlineImages: builder.inlineImages,
      notices: [...new Set(builder.notices)],
    },
    attachmentParts: builder.attachmentParts,
  };
}

/** The decoded bytes of one part, by its path (for Save / Open of an attachment). */
export function extractPart(raw: Buffer, path: string, limits: MimeLimits = DEFAULT_LIMITS): Buffer {
  const tree = scanMime(raw, limits);
  for (const node of walk(tree.root)) {
    if (node.path === path) {
      // A forwarded message is saved as it was sent, not decoded.
      return bodyOf(raw, node);
    }
  }
  throw new Error('That attachment is not in the message any more.');
}

/** One entry of the MIME outline for Show Source. */
export interface OutlineNode {
  readonly label: string;
  readonly detail: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly children: readonly OutlineNode[];
}

/** The MIME structure of a message with line ranges, for Show Source's outline. */
export function mimeOutline(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): OutlineNode[] {
  const tree = scanMime(raw, limits);
  const toOutline = (node: MimeNode): OutlineNode => {
    const d = disposition(node);
    const name = d.filename ? ` "${safeFileName(d.filename)}"` : '';
    return {
      label: `${node.path || 'message'}: ${node.contentType}${name}`,
      detail: [d.type, headerValue(node, 'content-transfer-encoding')?.toLowerCase(), node.params.get('charset')].filter(Boolean).join(', '),
      startLine: node.startLine,
      endLine: Math.max(node.endLine, node.startLine),
      children: node.children.map(toOutline),
    };
  };
  const headers: OutlineNode = { label: 'Headers', detail: '', startLine: 0, endLine: Math.max(0, tree.root.bodyLine - 1), children: [] };
  return [headers, toOutline(tree.root)];
}
