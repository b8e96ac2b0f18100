// Fuzz the parse path: seeded mutations of the project's fixtures
// through the header summary (index), the full parse for the view, the MIME
// outline, and the attachment-name rules. No throw, no case slower than a
// bound, memory bounded. A failing case prints its seed; keep it as a fixture.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { safeFileName } from '../../src/mail/filename';
import { summarize } from '../../src/mail/summary';
import { MimeLimitError } from '../../src/mail/mime-tree';
import { mimeOutline, parseMessageView } from '../../src/mail/view';
import { generateMailbox } from '../support/mailgen';
import { mutate, Prng, runSeed, scale } from '../support/prng';

const CASES = scale(20_000);
/** One case may take this long at most (a hostile case is rejected fast by the parser's limits). */
const CASE_BOUND_MS = 2000;

function corpus(): Buffer[] {
  const dir = path.resolve(__dirname, '../fixtures');
  const files: Buffer[] = [];
  for (const sub of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const d = path.join(dir, sub);
    if (!fs.statSync(d).isDirectory()) continue;
    // Big fixtures (bombs) are exercised by their own tests; mutating them here would only be slow.
    for (const f of fs.readdirSync(d)) if (f.endsWith('.eml') && fs.statSync(path.join(d, f)).size < 256 * 1024) files.push(fs.readFileSync(path.join(d, f)));
  }
  return [...files, ...generateMailbox(99, 30, { attachmentBytes: 2000 })];
}

test(`parse fuzz: ${CASES} mutated messages through summary, full parse, outline and attachment names`, { timeout: 900_000 }, () => {
  const seed = runSeed();
  console.log(`parse fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  const inputs = corpus();
  assert.ok(inputs.length >= 20, 'a corpus to mutate');
  let slowest = 0;
  let attachments = 0;
  let refused = 0;
  const heapStart = process.memoryUsage().heapUsed;
  for (let i = 0; i < CASES; i++) {
    const rng = new Prng(seed * 31 + i);
    let raw = rng.pick(inputs);
    for (let m = 1 + rng.int(8); m > 0; m--) raw = mutate(rng, raw);
    const started = performance.now();
    try {
      const s = summarize(raw.subarray(0, 64 * 1024));
      assert.equal(typeof s.subject, 'string');
      assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(s.subject + s.from.name), 'no bidi controls in what the tree shows');
      let view: ReturnType<typeof parseMessageView>['view'] | undefined;
      try {
        view = parseMessageView(`case-${i}`, raw).view;
        if (i % 10 === 0) mimeOutline(raw);
      } catch (err) {
        // A limit crossed is the parser's clear, typed refusal (T28, T29); anything else is a bug.
        if (!(err instanceof MimeLimitError)) throw err;
        refused++;
      }
      for (const a of view?.attachments ?? []) {
        attachments++;
        const name = a.name;
        assert.ok(name.length > 0 && name.length <= 120, `attachment name length ${name.length}`);
        assert.ok(!/[/\\\0]/.test(name) && !name.startsWith('.'), `unsafe attachment name ${JSON.stringify(name)}`);
      }
      const hostileName = raw.toString('latin1', 0, Math.min(raw.length, 300 + rng.int(5000)));
      const safe = safeFileName(hostileName);
      assert.ok(safe.length > 0 && safe.length <= 120 && !/[/\\\0]/.test(safe), `safeFileName(${JSON.stringify(hostileName.slice(0, 80))})`);
    } catch (err) {
      throw new Error(`parse fuzz case ${i} failed (FUZZ_SEED=${seed}): ${err instanceof Error ? err.stack : String(err)}`, { cause: err });
    }
    const took = performance.now() - started;
    slowest = Math.max(slowest, took);
    assert.ok(took < CASE_BOUND_MS, `case ${i} took ${took.toFixed(0)} ms (FUZZ_SEED=${seed})`);
  }
  global.gc?.();
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapStart) / 2 ** 20;
  console.log(`parse fuzz: ${CASES} cases (${refused} refused by a limit), ${attachments} attachment names checked, slowest ${slowest.toFixed(0)} ms, heap growth ${heapGrowthMb.toFixed(0)} MB`);
  assert.ok(heapGrowthMb < 512, 'memory stays bounded');
});
