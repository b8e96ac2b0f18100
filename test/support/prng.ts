// A small seeded PRNG (mulberry32) so that every fuzz case, soak choice and
// benchmark mailbox can be replayed from its seed.

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A random string of min..max characters from `alphabet`. */
  text(min: number, max: number, alphabet = 'abcdefghijklmnopqrstuvwxyz ABC0123456789.:-@<>+'): string {
    let s = '';
    for (let n = min + this.int(max - min + 1); n > 0; n--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** The seed of a run: FUZZ_SEED to replay one, else a fresh one (printed by the tests). */
export function runSeed(): number {
  const fixed = process.env['FUZZ_SEED'];
  return fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
}

/** Scales case counts up for long local runs (POP3_MAIL_LONG=1 -> x10). */
export function scale(n: number): number {
  return process.env['POP3_MAIL_LONG'] ? n * 10 : n;
}

const INTERESTING = ['\r\n', '\n', '.', '..', '\r\n.\r\n', '\0', '=?', '?=', '=?utf-8?B?', '--', '\u202e', '\uffff', '%2F..', ':', '<', '>', '"', ';', '\\', '\t', ' '];

/** One random mutation of `input`: flip, insert, delete, duplicate, truncate or splice in an interesting token. */
export function mutate(rng: Prng, input: Buffer): Buffer {
  if (input.length === 0) return Buffer.from(rng.pick(INTERESTING));
  const at = rng.int(input.length);
  switch (rng.int(7)) {
    case 0: {
      const out = Buffer.from(input);
      out[at] = rng.int(256);
      return out;
    }
    case 1:
      return Buffer.concat([input.subarray(0, at), Buffer.from(rng.pick(INTERESTING)), input.subarray(at)]);
    case 2:
      return Buffer.concat([input.subarray(0, at), input.subarray(Math.min(input.length, at + 1 + rng.int(64)))]);
    case 3: {
      const len = 1 + rng.int(Math.min(256, input.length - at));
      const piece = input.subarray(at, at + len);
      return Buffer.concat([input.subarray(0, at), piece, piece, input.subarray(at)]);
    }
    case 4:
      return input.subarray(0, at);
    case 5: {
      const token = rng.pick(INTERESTING).repeat(1 + rng.int(2000));
      return Buffer.concat([input.subarray(0, at), Buffer.from(token), input.subarray(at)]);
    }
    default: {
      const bytes = Buffer.alloc(1 + rng.int(32));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
    }
  }
}
