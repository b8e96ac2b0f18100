// Byte-level framing of POP3 replies (RFC 1939 section 3). Works on Buffers
// only: a reply may be split across TCP/TLS chunks at any byte.
//
// Line policy (docs/security.md T19): a line ends at LF; a CR before it is part of
// the line ending. Bare-LF lines inside a multi-line body are passed through
// byte for byte. The multi-line terminator is a line that is exactly "."
// (followed by CRLF or a bare LF); any other line that starts with "." has
// exactly that one dot removed (byte-stuffing).

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const EMPTY = Buffer.alloc(0);
const LF_DOT = Buffer.from('\n.');

/** Index of the next "." that starts a line, searching from `from`, or -1. */
function nextDotLine(buf: Buffer, from: number): number {
  const i = buf.indexOf(LF_DOT, from > 0 ? from - 1 : 0);
  return i === -1 ? -1 : i + 1;
}

/** Result of feeding bytes to a DotDecoder. */
export interface DotDecodeResult {
  /** Bytes of the input buffer that belong to this body (including the terminator). */
  readonly consumed: number;
  /** True once the terminating "." line has been read. */
  readonly done: boolean;
}

/**
 * Removes dot-stuffing from a multi-line body and finds its end, streaming the
 * decoded bytes to `emit` as subarrays of the input (copy them if kept).
 */
export class DotDecoder {
  private atLineStart = true;
  /** Undecided bytes at a line start: "." or ".\r" at the end of a chunk. */
  private pending: Buffer = EMPTY;

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  push(input: Buffer): DotDecodeResult {
    const carried = this.pending.length;
    const buf = carried ? Buffer.concat([this.pending, input]) : input;
    this.pending = EMPTY;
    if (buf.length === 0) return { consumed: 0, done: false };
    let segStart = 0;
    // Only lines that start with "." need work, so search for LF "." natively
    // instead of walking every line: long base64 bodies cost one scan.
    let dot = this.atLineStart ? (buf[0] === DOT ? 0 : nextDotLine(buf, 0)) : nextDotLine(buf, 0);
    while (dot !== -1) {
      const next = dot + 1 < buf.length ? buf[dot + 1] : -1;
      const after = dot + 2 < buf.length ? buf[dot + 2] : -1;
      this.flush(buf, segStart, dot);
      if (next === -1 || (next === CR && after === -1)) {
        // Cannot decide yet: keep "." or ".\r" for the next chunk.
        this.pending = Buffer.from(buf.subarray(dot));
        this.atLineStart = true;
        return { consumed: input.length, done: false };
      }
      if (next === LF || (next === CR && after === LF)) {
        this.atLineStart = true;
        return { consumed: dot + (next === LF ? 2 : 3) - carried, done: true };
      }
      // A stuffed line: drop this one dot.
      segStart = dot + 1;
      dot = nextDotLine(buf, dot + 1);
    }
    this.flush(buf, segStart, buf.length);
    this.atLineStart = buf[buf.length - 1] === LF;
    return { consumed: input.length, done: false };
  }

  private flush(buf: Buffer, start: number, end: number): void {
    if (end > start) this.emit(buf.subarray(start, end));
  }
}

/** Finds the end of one line (LF) in `buf`, or -1. Returns the index after LF. */
export function lineEnd(buf: Buffer): number {
  const nl = buf.indexOf(LF);
  return nl === -1 ? -1 : nl + 1;
}

/** The text of a line without its CRLF or LF, as latin1 (bytes preserved 1:1). */
export function lineText(line: Buffer): string {
  let end = line.length;
  if (end > 0 && line[end - 1] === LF) end--;
  if (end > 0 && line[end - 1] === CR) end--;
  return line.toString('latin1', 0, end);
}

/**
 * Splits a decoded multi-line listing into lines (without line endings).
 * One latin1 string split at LF, not a Buffer view per line: a 5,000-line
 * UIDL listing is a large part of a fetch that finds nothing new.
 */
export function splitLines(body: Buffer): string[] {
  if (body.length === 0) return [];
  const lines = body.toString('latin1').split('\n');
  // A final LF leaves an empty last piece that is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}
