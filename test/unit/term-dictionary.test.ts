// The index's dictionary and the tokenizer pass that feeds it: the words it
// sees are exactly the words a query sees (terms()), a word looked up by its
// place in a text finds the term stored as a string, and a dictionary whose
// probes run long (a hostile message's words) re-seeds, then falls back to a
// Map, without losing a term.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TermDictionary } from '../../src/search/term-dictionary';
import { eachTermRange, MAX_TERM_CHARS, terms } from '../../src/search/tokenize';

/** A seeded generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Letters of both cases, digits, punctuation, accented and combining
// characters, a non-breaking space, a dash, an astral letter and an emoji.
const ALPHABET = ['a', 'Z', 'q', '7', ' ', '.', '-', '\n', 'é', 'É', 'ß', 'ﬁ', '½', '\u0301', '\u00a0', '—', 'ж', '𝐀', '😀', 'x'];

function indexTerms(text: string, dict: TermDictionary<string>): string[] {
  const out: string[] = [];
  eachTermRange(
    text,
    dict.hashSeed,
    (start, end, hash, seed) => out.push(dict.ascii(text, start, end, hash, seed, () => text.slice(start, end).toLowerCase())),
    (t) => {
      let v = dict.get(t);
      if (v === undefined) dict.set(t, (v = t));
      out.push(v);
    },
  );
  return out;
}

test('the index reads the same words as a query, in the same order', () => {
  const next = random(20261207);
  const dict = new TermDictionary<string>();
  for (let k = 0; k < 2000; k++) {
    let text = '';
    const length = Math.floor(next() * 40);
    for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
    assert.deepEqual(indexTerms(text, dict), terms(text), JSON.stringify(text));
  }
  const long = `${'Ab'.repeat(100)} ${'é'.repeat(100)}`;
  assert.deepEqual(indexTerms(long, dict), terms(long));
  assert.equal(indexTerms(long, dict)[0]!.length, MAX_TERM_CHARS);
});

test('a word found by its place in a text is the term stored as a string; every term stays', () => {
  const dict = new TermDictionary<number>();
  const words = Array.from({ length: 50_000 }, (_, i) => `w${i.toString(36)}`);
  words.forEach((w, i) => dict.set(w, i));
  assert.equal(dict.size, words.length);
  const text = `say ${words[12345]!.toUpperCase()}!`;
  let found: number | undefined;
  eachTermRange(text, dict.hashSeed, (start, end, hash, seed) => {
    if (text.slice(start, end) !== 'say') found = dict.ascii(text, start, end, hash, seed, () => -1);
  }, () => undefined);
  assert.equal(found, 12345);
  for (let i = 0; i < words.length; i += 997) assert.equal(dict.get(words[i]!), i);
  assert.equal(dict.get('absent'), undefined);
  assert.deepEqual([...dict].length, words.length);
});

test('probes that run long re-seed the table, then fall back to a Map, and lose nothing', () => {
  // Every term hashes alike: what a message of colliding words would do if
  // it could guess the seed. The dictionary must stay correct and bounded.
  class Colliding extends TermDictionary<number> {
    protected override hashOf(): number {
      return 42;
    }
  }
  const dict = new Colliding();
  const n = 5000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) dict.set(`t${i}`, i);
  const text = 'T77 t4999';
  const seen: number[] = [];
  eachTermRange(text, dict.hashSeed, (start, end, hash, seed) => seen.push(dict.ascii(text, start, end, hash, seed, () => -1)), () => undefined);
  assert.deepEqual(seen, [77, 4999]);
  for (let i = 0; i < n; i++) assert.equal(dict.get(`t${i}`), i);
  assert.equal(dict.size, n);
  // Quadratic probing of 5,000 colliding terms would take seconds; the fallback keeps it in milliseconds.
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000);
});
