// One term's postings: (document number delta, term frequency) pairs as
// LEB128 varints. Documents are only ever added with increasing numbers, so
// deltas stay small and appends stay cheap.
//
// Most terms of a mailbox occur in one message or a few (the vocabulary is
// Zipf-shaped), and every object an index holds is copied by the garbage
// collector as the index grows: with a typed array per term (an ArrayBuffer
// with its own backing store) collection was the largest single cost of
// building an index. So a list of one posting is two numbers on the object;
// a short list is a plain array of byte values; only a list past
// SMALL_BYTES moves to a growable Uint8Array.

/** Bytes kept in the plain array before the list moves to a typed array. */
const SMALL_BYTES = 24;

export class Postings {
  private small: number[] | undefined;
  private bytes: Uint8Array | undefined;
  length = 0;
  /** Documents in the list, and the last one (the base of the next delta). */
  df = 0;
  last = -1;
  /** The document being added and its weighted count so far (SearchIndex.add). */
  pendingDoc = -1;
  pendingTf = 0;
  /** The term frequency of a list of one posting (its document is `last`), kept without an array. */
  private soloTf = 0;

  /** `bytes` (a loaded list) is used as it is, a view into the index file, until the first append copies it. */
  constructor(bytes?: Uint8Array, df = 0, last = -1) {
    if (bytes) {
      this.bytes = bytes;
      this.length = bytes.length;
    }
    this.df = df;
    this.last = last;
  }

  add(doc: number, tf: number): void {
    if (doc <= this.last) throw new Error('postings must grow');
    if (!this.small && !this.bytes) {
      if (this.df === 0) {
        this.soloTf = tf;
        this.length = varintSize(doc + 1) + varintSize(tf);
        this.last = doc;
        this.df = 1;
        return;
      }
      // The second posting: the first one goes into an array.
      this.small = [];
      this.put(this.last + 1);
      this.put(this.soloTf);
    }
    this.put(doc - this.last);
    this.put(tf);
    this.last = doc;
    this.df++;
  }

  private put(value: number): void {
    const small = this.small;
    if (small && small.length + 5 > SMALL_BYTES) this.grow(64);
    if (this.small) {
      let v = value;
      while (v >= 0x80) {
        this.small.push((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.small.push(v);
      this.length = this.small.length;
      return;
    }
    if (this.length + 5 > this.bytes!.length) this.grow(Math.max(64, this.bytes!.length * 2));
    const b = this.bytes!;
    let v = value;
    while (v >= 0x80) {
      b[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.length++] = v;
  }

  /** Moves the list into a typed array of `size` bytes. */
  private grow(size: number): void {
    const grown = new Uint8Array(size);
    if (this.small) grown.set(this.small);
    else grown.set(this.bytes!.subarray(0, this.length));
    this.small = undefined;
    this.bytes = grown;
  }

  /** Calls `visit(doc, tf)` for every posting, in document order. */
  forEach(visit: (doc: number, tf: number) => void): void {
    if (!this.small && !this.bytes) {
      if (this.df === 1) visit(this.last, this.soloTf);
      return;
    }
    const b: ArrayLike<number> = this.small ?? this.bytes!;
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

  /** Copies the used bytes into `out` at `at`. */
  copyTo(out: Uint8Array, at: number): void {
    if (!this.small && !this.bytes) {
      if (this.df === 1) putVarint(out, putVarint(out, at, this.last + 1), this.soloTf);
    } else if (this.small) out.set(this.small, at);
    else out.set(this.bytes!.subarray(0, this.length), at);
  }
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

/** Bytes of `value` as a LEB128 varint. */
export function varintSize(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

/** Writes a varint into `out` at `at`; returns the offset after it. */
export function putVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  let i = at;
  while (v >= 0x80) {
    out[i++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[i++] = v;
  return i;
}
