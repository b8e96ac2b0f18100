// The index's dictionary: term -> value (its postings), with a lookup by a
// slice of text that makes no string. Building an index adds hundreds of
// thousands of words per thousand messages; a string per word and a Map
// lookup per word were most of the build time. Open addressing with linear
// probing over a seeded hash.
//
// Mail is untrusted, and a fixed hash would let a message pick words that
// all land in one run of slots (a lookup would then cost the whole run, and
// indexing the message would go quadratic). The seed is random per
// dictionary; a probe longer than MAX_PROBE draws a new seed and rebuilds
// the table; after MAX_RESEEDS of those the dictionary answers through a
// Map (V8's own seeded hash) for the rest of its life.

import { randomBytes } from 'node:crypto';
import { hashEnd, hashStep } from './tokenize';

const MAX_PROBE = 64;
const MAX_RESEEDS = 3;
const FIRST_SLOTS = 1 << 12;

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

export class TermDictionary<V> {
  private readonly words: string[] = [];
  private readonly values: V[] = [];
  private readonly hashes: number[] = [];
  /** Term number + 1 per slot; 0 is a free slot. */
  private slots = new Int32Array(FIRST_SLOTS);
  private seed = TermDictionary.newSeed();
  private reseeds = 0;
  private fallback: Map<string, number> | undefined;

  private static newSeed(): number {
    return randomBytes(4).readInt32LE(0);
  }

  get size(): number {
    return this.words.length;
  }

  /** The seed of hashes given to ascii() (tokenize.ts computes them while it reads a word). */
  get hashSeed(): number {
    return this.seed;
  }

  /** The hash of text[start, end) with ASCII capitals lowered (terms are stored lower case). */
  protected hashOf(text: string, start: number, end: number): number {
    let h = this.seed;
    for (let i = start; i < end; i++) h = hashStep(h, text.charCodeAt(i));
    return hashEnd(h);
  }

  /** Term number of text[start, end) lowered, or -1; `h` is its hash. */
  private find(text: string, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = end - start;
    for (let s = h & mask, probes = 0; probes <= mask; s = (s + 1) & mask, probes++) {
      const slot = this.slots[s]!;
      if (slot === 0) return -1;
      const n = slot - 1;
      if (this.hashes[n] !== h) continue;
      const word = this.words[n]!;
      if (word.length !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = word.charCodeAt(i) === lower(text.charCodeAt(start + i));
      if (same) return n;
    }
    return -1;
  }

  /** Puts term number `n` into the table; false when its probe ran too long. */
  private place(n: number): boolean {
    const mask = this.slots.length - 1;
    let s = this.hashes[n]! & mask;
    for (let probes = 0; this.slots[s] !== 0; probes++) {
      if (probes >= MAX_PROBE) return false;
      s = (s + 1) & mask;
    }
    this.slots[s] = n + 1;
    return true;
  }

  /** Rebuilds the table with `size` slots (a new seed when `reseed`). */
  private rebuild(size: number, reseed: boolean): void {
    for (;;) {
      if (reseed) {
        if (++this.reseeds > MAX_RESEEDS) {
          this.fallback = new Map(this.words.map((w, n) => [w, n]));
          this.slots = new Int32Array(0);
          return;
        }
        this.seed = TermDictionary.newSeed();
        for (let n = 0; n < this.words.length; n++) this.hashes[n] = this.hashOf(this.words[n]!, 0, this.words[n]!.length);
      }
      this.slots = new Int32Array(size);
      let placed = true;
      for (let n = 0; n < this.words.length && placed; n++) placed = this.place(n);
      if (placed) return;
      reseed = true;
    }
  }

  private addTerm(word: string, h: number, value: V): void {
    const n = this.words.length;
    this.words.push(word);
    this.values.push(value);
    this.hashes.push(h);
    if (this.fallback) {
      this.fallback.set(word, n);
      return;
    }
    if ((n + 1) * 2 > this.slots.length) this.rebuild(this.slots.length * 2, false);
    else if (!this.place(n)) this.rebuild(this.slots.length, true);
  }

  get(term: string): V | undefined {
    if (this.fallback) {
      const n = this.fallback.get(term);
      return n === undefined ? undefined : this.values[n];
    }
    const n = this.find(term, 0, term.length, this.hashOf(term, 0, term.length));
    return n === -1 ? undefined : this.values[n];
  }

  /** Sets the value of `term` (already folded: lower case). */
  set(term: string, value: V): void {
    const h = this.fallback ? 0 : this.hashOf(term, 0, term.length);
    const n = this.fallback ? (this.fallback.get(term) ?? -1) : this.find(term, 0, term.length, h);
    if (n !== -1) this.values[n] = value;
    else this.addTerm(term, h, value);
  }

  /**
   * The value of the ASCII word text[start, end), lower-cased, made by
   * `create` (and added) on its first sight. Only a new term becomes a string.
   * `hash` is its hash computed with `seed` (hashSeed when the caller read
   * it: a reseed since makes this hash it again).
   */
  ascii(text: string, start: number, end: number, hash: number, seed: number, create: () => V): V {
    if (this.fallback) {
      const word = text.slice(start, end).toLowerCase();
      const n = this.fallback.get(word);
      if (n !== undefined) return this.values[n]!;
      const value = create();
      this.addTerm(word, 0, value);
      return value;
    }
    const h = seed === this.seed ? hash : this.hashOf(text, start, end);
    const n = this.find(text, start, end, h);
    if (n !== -1) return this.values[n]!;
    const value = create();
    this.addTerm(text.slice(start, end).toLowerCase(), h, value);
    return value;
  }

  keys(): string[] {
    return this.words;
  }

  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (let n = 0; n < this.words.length; n++) yield [this.words[n]!, this.values[n]!];
  }

  forEach(visit: (value: V, term: string) => void): void {
    for (let n = 0; n < this.words.length; n++) visit(this.values[n]!, this.words[n]!);
  }
}
