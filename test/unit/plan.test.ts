import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSync, type LocalMessage, type PlanInput } from '../../src/sync/plan';
import { DAY_MS } from '../../src/sync/policy';

const NOW = Date.parse('2026-11-26T12:00:00Z');

function input(over: Partial<PlanInput> & { have?: Record<string, Partial<LocalMessage>> }): PlanInput {
  const have = over.have ?? {};
  return {
    mode: 'uidl',
    server: [],
    local: (u) => (u in have ? { headersOnly: false, trashed: false, downloadedMs: NOW - DAY_MS, ...have[u] } : undefined),
    storeEmpty: Object.keys(have).length === 0,
    skipped: new Set(),
    lastServerCount: 0,
    retention: {},
    download: {},
    now: NOW,
    acceptNewUidls: false,
    ...over,
  };
}

const srv = (...uidls: string[]): PlanInput['server'] => uidls.map((u, i) => ({ n: i + 1, uidl: u, size: 1000 * (i + 1) }));

test('leave on server (default): downloads only what is new, deletes nothing', () => {
  const p = planSync(input({ server: srv('a', 'b', 'c'), have: { a: {} } }));
  assert.deepEqual(p.download.map((d) => d.uidl), ['b', 'c']);
  assert.deepEqual(p.delete, []);
  assert.equal(p.deleteNewAfterDownload, false);
});

test('delete after download: stored ones now, new ones once stored', () => {
  const p = planSync(input({ server: srv('a', 'b'), have: { a: {} }, retention: { deleteAfterDownload: true } }));
  assert.deepEqual(p.delete, [{ n: 1, uidl: 'a', rule: 'after-download' }]);
  assert.equal(p.deleteNewAfterDownload, true);
});

test('delete after N days uses the download time and the injected clock', () => {
  const p = planSync(
    input({
      server: srv('old', 'young'),
      have: { old: { downloadedMs: NOW - 10 * DAY_MS }, young: { downloadedMs: NOW - 2 * DAY_MS } },
      retention: { deleteAfterDays: 7 },
    }),
  );
  assert.deepEqual(p.delete, [{ n: 1, uidl: 'old', rule: 'after-days' }]);
});

test('delete when deleted locally; a headers-only message is never deleted by age', () => {
  const p = planSync(
    input({
      server: srv('trashed', 'partial', 'kept'),
      have: { trashed: { trashed: true }, partial: { headersOnly: true, downloadedMs: NOW - 99 * DAY_MS }, kept: {} },
      retention: { deleteWhenDeletedLocally: true, deleteAfterDays: 1 },
    }),
  );
  assert.deepEqual(p.delete.map((d) => [d.uidl, d.rule]), [['trashed', 'deleted-locally'], ['kept', 'after-days']]);
});

test('a duplicated UIDL is downloaded once and never deleted (T23)', () => {
  const p = planSync(input({ server: srv('x', 'x', 'y'), retention: { deleteAfterDownload: true } }));
  assert.deepEqual(p.download.map((d) => d.uidl), ['x', 'y']);
  assert.deepEqual(p.duplicates, ['x']);
  const again = planSync(input({ server: srv('x', 'x', 'y'), have: { x: {}, y: {} }, retention: { deleteAfterDownload: true } }));
  assert.deepEqual(again.delete.map((d) => d.uidl), ['y']);
});

test('size limit: larger messages are planned headers-only', () => {
  const p = planSync(input({ server: srv('s', 'm', 'l'), download: { maxMessageSize: 2000 } }));
  assert.deepEqual(p.download.map((d) => [d.uidl, d.headersOnly]), [['s', false], ['m', false], ['l', true]]);
});

test('newest N on the first sync: the highest message numbers, the rest remembered as skipped', () => {
  const p = planSync(input({ server: srv('1', '2', '3', '4', '5'), download: { newestOnFirstSync: 2 } }));
  assert.deepEqual(p.download.map((d) => d.uidl), ['4', '5']);
  assert.deepEqual(p.skip.map((s) => s.uidl), ['1', '2', '3']);
  const later = planSync(input({ server: srv('1', '2', '3', '4', '5', '6'), have: { 4: {}, 5: {} }, skipped: new Set(['1', '2', '3']), download: { newestOnFirstSync: 2 } }));
  assert.deepEqual(later.download.map((d) => d.uidl), ['6'], 'skipped ones are not fetched later, new mail is');
});

test('all UIDLs new although the server kept mail last time: ask first (T26)', () => {
  const p = planSync(input({ server: srv('n1', 'n2', 'n3'), have: { o1: {}, o2: {} }, lastServerCount: 2 }));
  assert.deepEqual(p.anomaly, { kind: 'all-new', count: 3 });
  assert.deepEqual(p.download, []);
  const accepted = planSync(input({ server: srv('n1', 'n2', 'n3'), have: { o1: {} }, lastServerCount: 2, acceptNewUidls: true }));
  assert.equal(accepted.download.length, 3);
  const emptiedByPolicy = planSync(input({ server: srv('n1'), have: { o1: {} }, lastServerCount: 0 }));
  assert.equal(emptiedByPolicy.anomaly, undefined, 'after a delete-after-download sync, all-new is normal');
});

test('safe mode (no UIDL): nothing is deleted whatever the policy, and the user is told (T25)', () => {
  const p = planSync(input({ mode: 'headers', server: srv('hdr:a', 'hdr:b'), have: { 'hdr:a': {} }, retention: { deleteAfterDownload: true } }));
  assert.deepEqual(p.download.map((d) => d.uidl), ['hdr:b']);
  assert.deepEqual(p.delete, []);
  assert.equal(p.deleteNewAfterDownload, false);
  assert.match(p.warnings.join(' '), /does not support UIDL/);
});
