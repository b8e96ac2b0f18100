// One term's postings: (document number delta, term frequency) pairs as
// LEB128 varints in a growable byte array. Documents are only ever added
// with increasing numbers, so deltas stay small and appends stay cheap.

export class Postings {
  bytes: Uint8Array;
  length = 0;
  /** Documents in the list, and the last one (the base of the next delta). */
  df = 0;
  last = -1;

  constructor(bytes?: Uint8Array, df = 0, last = -1) {
    this.bytes = bytes ?? new Uint8Array(8);
    this.length = bytes?.length ?? 0;
    this.df = df;
    this.last = last;
  }

  add(doc: number, tf: number): void {
    if (doc <= this.last) throw new Error('postings must grow');
    this.put(doc - this.last);
    this.put(tf);
    this.last = doc;
    this.df++;
  }

  private put(value: number): void {
    if (this.length + 5 > this.bytes.length) {
      const grown = new Uint8Array(Math.max(16, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.length++] = v;
  }

  /** Calls `visit(doc, tf)` for every posting, in document order. */
  forEach(visit: (doc: number, tf: number) => void): void {
    const b = this.bytes;
    const n = this.length;
    let i = 0;
    let doc = -1;
    while (i < n) {
      let delta = 0;
      let shift = 0;
      let c: number;
      do {
        c = b[i++]!;
        delta |= (c & 0x7f) << shift;
        shift += 7;
      } while (c & 0x80 && i < n);
      let tf = 0;
      shift = 0;
      do {
        c = b[i++]!;
        tf |= (c & 0x7f) << shift;
        shift += 7;
      } while (c & 0x80 && i < n);
      doc += delta;
      visit(doc, tf);
    }
  }

  /** The used bytes, trimmed. */
  trimmed(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Appends a varint to `out` (a number array used as a byte list while encoding a file). */
export function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** Reads a varint at `pos.at`, advancing it; throws on a truncated buffer. */
export function readVarint(b: Uint8Array, pos: { at: number }): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (pos.at >= b.length || shift > 28) throw new Error('damaged varint');
    const c = b[pos.at++]!;
    v += (c & 0x7f) * 2 ** shift;
    if (!(c & 0x80)) return v;
    shift += 7;
  }
}
