// A bounded, single-pass scan of a message's MIME structure (docs/security.md
// T28-T30). It runs before anything else looks at a message: a 2,000-deep
// nesting, 50,000 sibling parts or a megabyte header line is rejected here in
// linear time, so no parser ever recurses into it. The result gives every
// part's byte and line ranges, which the message view decodes part by part
// and Show Source uses as its outline.
//
// No node-only or vscode imports beyond Buffer, so the worker and the host can
// both use it.

import { parseHeaderFields, parseParams, type HeaderField } from './mime-headers';

/** Limits of what the viewer parses; each says why. */
export interface MimeLimits {
  /** Whole message. The store may hold more; the viewer offers Show Source / Save instead. */
  readonly maxMessageBytes: number;
  /** Nesting of multiparts. Real mail rarely goes past 6; 2,000 is a bomb (T28). */
  readonly maxDepth: number;
  /** Parts in all. A mail with hundreds of attachments is odd; 50,000 is a bomb (T28). */
  readonly maxParts: number;
  /** One physical header line. RFC 5322 says 998 characters; long To lists reach tens of kB (T29). */
  readonly maxHeaderLine: number;
  /** One header block. */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: MimeLimits = {
  maxMessageBytes: 64 * 1024 * 1024,
  maxDepth: 32,
  maxParts: 1000,
  maxHeaderLine: 256 * 1024,
  maxHeaderBytes: 1024 * 1024,
};

export type MimeLimitName = 'size' | 'depth' | 'parts' | 'headerLine' | 'headerBlock';

/** A message the viewer refuses to parse; the message says which limit and is shown to the user. */
export class MimeLimitError extends Error {
  override readonly name = 'MimeLimitError';
  constructor(
    readonly limit: MimeLimitName,
    message: string,
  ) {
    super(message);
  }

  static is(value: unknown): value is MimeLimitError {
    return value instanceof MimeLimitError || (value instanceof Error && value.name === 'MimeLimitError');
  }
}

export interface MimeNode {
  /** IMAP-style part number: '' for the root, '1', '1.2', ... */
  readonly path: string;
  readonly depth: number;
  /** Lower-case type/subtype; text/plain when missing (RFC 2045). */
  readonly contentType: string;
  readonly params: ReadonlyMap<string, string>;
  readonly headers: readonly HeaderField[];
  /** Byte offsets: header block start, body start, body end (exclusive). */
  readonly start: number;
  bodyStart: number;
  end: number;
  /** 0-based line numbers of the first header line, the first body line and the last line. */
  readonly startLine: number;
  bodyLine: number;
  endLine: number;
  readonly children: MimeNode[];
}

export interface MimeTree {
  readonly root: MimeNode;
  readonly partCount: number;
  /** Structural problems that did not stop the scan (missing closing boundary, ...). */
  readonly problems: readonly string[];
}

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

interface Frame {
  readonly node: MimeNode;
  readonly boundary: string;
  /** The child part being read, if any (undefined in the preamble). */
  child: MimeNode | undefined;
}

/** Line cursor over a Buffer: each line without its terminator. */
class Lines {
  pos = 0;
  line = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Returns [start, contentEnd, nextStart] of the current line and advances. */
  next(): [number, number, number] {
    const start = this.pos;
    const nl = this.buf.indexOf(0x0a, start);
    const next = nl === -1 ? this.buf.length : nl + 1;
    let end = nl === -1 ? this.buf.length : nl;
    if (end > start && this.buf[end - 1] === 0x0d) end--;
    this.pos = next;
    this.line++;
    return [start, end, next];
  }
}

/**
 * Scans the structure of `raw`. Throws MimeLimitError as soon as a limit is
 * crossed; never throws for malformed structure (that becomes a problem).
 */
export function scanMime(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): MimeTree {
  if (raw.length > limits.maxMessageBytes) {
    throw new MimeLimitError('size', `The message is ${kb(raw.length)}; the viewer shows messages up to ${kb(limits.maxMessageBytes)}.`);
  }
  const cursor = new Lines(raw);
  const problems: string[] = [];
  let partCount = 0;
  const frames: Frame[] = [];
  /** boundary -> indexes of frames using it (a repeated boundary belongs to the innermost). */
  const byBoundary = new Map<string, number[]>();

  const readPart = (path: string, depth: number): MimeNode => {
    partCount++;
    if (partCount > limits.maxParts) {
      throw new MimeLimitError('parts', `The message has more than ${limits.maxParts} MIME parts; it looks like a MIME bomb and is not shown.`);
    }
    if (depth > limits.maxDepth) {
      throw new MimeLimitError('depth', `The message nests MIME parts more than ${limits.maxDepth} levels deep; it looks like a MIME bomb and is not shown.`);
    }
    const start = cursor.pos;
    const startLine = cursor.line;
    while (!cursor.done) {
      const [s, e] = cursor.next();
      if (e - s > limits.maxHeaderLine) {
        throw new MimeLimitError('headerLine', `A header line is ${kb(e - s)} long; the viewer accepts up to ${kb(limits.maxHeaderLine)}.`);
      }
      if (cursor.pos - start > limits.maxHeaderBytes) {
        throw new MimeLimitError('headerBlock', `A header block is longer than ${kb(limits.maxHeaderBytes)}.`);
      }
      if (e === s) break; // the empty line ends the headers
    }
    const headerEndPos = cursor.pos;
    const headers = parseHeaderFields(raw.toString('latin1', start, headerEndPos));
    const ct = headers.find((h) => h.name === 'content-type');
    const parsed = parseParams(ct?.value ?? '');
    let contentType = parsed.value.toLowerCase();
    if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(contentType)) contentType = 'text/plain';
    return {
      path,
      depth,
      contentType,
      params: parsed.params,
      headers,
      start,
      bodyStart: headerEndPos,
      end: raw.length,
      startLine,
      bodyLine: cursor.line,
      endLine: cursor.line,
      children: [],
    };
  };

  const openMultipart = (node: MimeNode): void => {
    if (!node.contentType.startsWith('multipart/')) return;
    const boundary = node.params.get('boundary');
    if (!boundary) {
      problems.push(`part ${node.path || 'root'}: multipart without a boundary, shown as text`);
      return;
    }
    frames.push({ node, boundary, child: undefined });
    const list = byBoundary.get(boundary);
    if (list) list.push(frames.length - 1);
    else byBoundary.set(boundary, [frames.length - 1]);
  };

  const closeFrame = (): void => {
    const frame = frames.pop()!;
    const list = byBoundary.get(frame.boundary)!;
    list.pop();
    if (list.length === 0) byBoundary.delete(frame.boundary);
  };

  /** Ends `node` where the delimiter line starting at `lineStart` begins (the CRLF before it belongs to the delimiter). */
  const endAt = (node: MimeNode, lineStart: number, line: number): void => {
    let end = lineStart;
    if (end > node.bodyStart && raw[end - 1] === 0x0a) end--;
    if (end > node.bodyStart && raw[end - 1] === 0x0d) end--;
    node.end = Math.max(end, node.bodyStart);
    node.endLine = Math.max(line - 1, node.bodyLine);
  };

  const root = readPart('', 0);
  openMultipart(root);

  while (frames.length > 0 && !cursor.done) {
    const line = cursor.line;
    const [s, e] = cursor.next();
    if (e - s < 3 || raw[s] !== 0x2d || raw[s + 1] !== 0x2d) continue;
    // Trailing whitespace after a delimiter is allowed (RFC 2046 5.1.1).
    let end = e;
    while (end > s && (raw[end - 1] === 0x20 || raw[end - 1] === 0x09)) end--;
    const token = raw.toString('latin1', s + 2, end);
    let closing = false;
    let list = byBoundary.get(token);
    if (!list && token.endsWith('--')) {
      list = byBoundary.get(token.slice(0, -2));
      closing = list !== undefined;
    }
    if (!list) continue;
    const index = list[list.length - 1]!;
    // An outer delimiter ends every inner multipart that was never closed.
    while (frames.length - 1 > index) {
      const inner = frames[frames.length - 1]!;
      problems.push(`part ${inner.node.path || 'root'}: missing closing boundary`);
      if (inner.child) endAt(inner.child, s, line);
      endAt(inner.node, s, line);
      closeFrame();
    }
    const frame = frames[index]!;
    if (frame.child) endAt(frame.child, s, line);
    frame.child = undefined;
    if (closing) {
      // The epilogue after the closing delimiter is not part of the multipart's content.
      frame.node.end = e;
      frame.node.endLine = line;
      closeFrame();
      continue;
    }
    const path = frame.node.path ? `${frame.node.path}.${frame.node.children.length + 1}` : String(frame.node.children.length + 1);
    const child = readPart(path, frame.node.depth + 1);
    frame.node.children.push(child);
    frame.child = child;
    openMultipart(child);
  }
  for (const frame of frames) {
    problems.push(`part ${frame.node.path || 'root'}: missing closing boundary`);
    if (frame.child) {
      frame.child.end = raw.length;
      frame.child.endLine = cursor.line;
    }
    frame.node.endLine = cursor.line;
  }
  root.endLine = Math.max(root.endLine, cursor.line);
  if (frames.length === 0 && root.children.length === 0 && root.contentType.startsWith('multipart/') && root.params.get('boundary')) {
    problems.push('multipart message without any part');
  }
  return { root, partCount, problems };
}

/** The value of the first header field with this (lower-case) name, unfolded, or undefined. */
export function headerValue(node: Pick<MimeNode, 'headers'>, name: string): string | undefined {
  return node.headers.find((h) => h.name === name)?.value;
}

/** Every node of the tree, depth first. */
export function* walk(node: MimeNode): Generator<MimeNode> {
  const stack: MimeNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    yield n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
}
