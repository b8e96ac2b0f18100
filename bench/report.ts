// The benchmark's Markdown table and SVG chart.

import * as fs from 'node:fs';
import type { LoopDelay } from './loop-delay';
import type { MicroResults } from './micro';

type Figure = { wallS: number; cpuS: number; maxRssMB: number; load?: number };

export interface Results {
  readonly date: string;
  readonly profile: string;
  readonly messages: number;
  readonly megabytes: number;
  readonly rounds: number;
  readonly machine: string;
  readonly versions: Record<string, string>;
  readonly fetch: Record<string, Figure>;
  /** Deleting fetches of `messages` (mpop with keep off, ours with --delete). */
  readonly deleting?: { messages: number } & Record<string, Figure | number>;
  readonly loop?: { fetch: LoopDelay; open100k: LoopDelay; open100kFromLog: LoopDelay; open100kNoStamp?: LoopDelay };
  readonly micro: MicroResults;
}

/** The goals: keeping fetch against the wire (small-message profile 1.5, others 1.25) and mpop, deleting fetch against mpop, re-fetch against mpop's. */
const TARGETS = {
  oursOverWire: (profile: string): number => (profile === 'small' ? 1.5 : 1.25),
  oursOverMpop: 0.5,
  deletingOverMpop: 0.9,
  refetchOverMpop: 2,
  peakRssMB: 150,
  loopP99Ms: 50,
  loopMaxMs: 200,
  list100kMs: 300,
  show1MBMs: 150,
};

const mark = (ok: boolean): string => (ok ? 'met' : '**not met**');

export function markdown(r: Results): string {
  const wire = r.fetch['wire']!.wallS;
  const mpop = r.fetch['mpop']!.wallS;
  const ours = r.fetch['pop3-mail']!;
  const refetch = r.fetch['pop3-mail re-fetch']!;
  const mpopRefetch = r.fetch['mpop re-fetch'];
  const node = r.fetch['node startup (node -e 0)'];
  const delOurs = r.deleting?.['pop3-mail deleting'] as Figure | undefined;
  const delMpop = r.deleting?.['mpop deleting'] as Figure | undefined;
  const delWire = r.deleting?.['wire deleting'] as Figure | undefined;
  const wireGoal = TARGETS.oursOverWire(r.profile);
  const loopRow = (what: string, d: LoopDelay): string =>
    `| event loop during ${what}: p99 / max | ${d.p99Ms.toFixed(0)} / ${d.maxMs.toFixed(0)} ms (${(d.wallMs / 1000).toFixed(2)} s, load ${d.load.toFixed(1)}) | <= ${TARGETS.loopP99Ms} / ${TARGETS.loopMaxMs} ms | ${mark(d.p99Ms <= TARGETS.loopP99Ms && d.maxMs <= TARGETS.loopMaxMs)} |`;
  const show1 = Object.entries(r.micro.show).find(([k]) => k.startsWith('1 MB'))?.[1] ?? NaN;
  const lines = [
    `## Fetch: ${r.profile} profile`,
    '',
    `${r.date}: ${r.messages} messages, ${r.megabytes.toFixed(1)} MB, Dovecot POP3S on loopback, medians of ${r.rounds} rounds, clients alternating.`,
    `Machine: ${r.machine}. ${Object.entries(r.versions).map(([k, v]) => `${k}: ${v}`).join('; ')}.`,
    '',
    '| client | wall (s) | CPU (s) | peak RSS (MB) | / wire | / mpop | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(r.fetch).map(
      ([name, s]) => `| ${name} | ${s.wallS.toFixed(2)} | ${s.cpuS.toFixed(2)} | ${s.maxRssMB.toFixed(0)} | ${(s.wallS / wire).toFixed(2)} | ${(s.wallS / mpop).toFixed(2)} | ${s.load?.toFixed(1) ?? ''} |`,
    ),
    ...(delOurs && delMpop
      ? [
          `| mpop deleting (keep off), ${r.deleting!.messages} messages | ${delMpop.wallS.toFixed(2)} | ${delMpop.cpuS.toFixed(2)} | ${delMpop.maxRssMB.toFixed(0)} | | 1.00 | ${delMpop.load?.toFixed(1) ?? ''} |`,
          `| pop3-mail deleting (--delete), ${r.deleting!.messages} messages | ${delOurs.wallS.toFixed(2)} | ${delOurs.cpuS.toFixed(2)} | ${delOurs.maxRssMB.toFixed(0)} | | ${(delOurs.wallS / delMpop.wallS).toFixed(2)} | ${delOurs.load?.toFixed(1) ?? ''} |`,
          ...(delWire
            ? [`| wire deleting (the floor for Node.js: fsync each, then DELE), ${r.deleting!.messages} messages | ${delWire.wallS.toFixed(2)} | ${delWire.cpuS.toFixed(2)} | ${delWire.maxRssMB.toFixed(0)} | | ${(delWire.wallS / delMpop.wallS).toFixed(2)} | ${delWire.load?.toFixed(1) ?? ''} |`]
            : []),
        ]
      : []),
    '',
    '| figure | value | goal | |',
    '|---|---:|---:|---|',
    `| keeping fetch: ours / wire | ${(ours.wallS / wire).toFixed(2)} | <= ${wireGoal} | ${mark(ours.wallS / wire <= wireGoal)} |`,
    `| keeping fetch: ours / mpop | ${(ours.wallS / mpop).toFixed(2)} | <= ${TARGETS.oursOverMpop} | ${mark(ours.wallS / mpop <= TARGETS.oursOverMpop)} |`,
    ...(delOurs && delMpop
      ? [`| deleting fetch (both durable): ours / mpop | ${(delOurs.wallS / delMpop.wallS).toFixed(2)} | <= ${TARGETS.deletingOverMpop} | ${mark(delOurs.wallS / delMpop.wallS <= TARGETS.deletingOverMpop)} |`]
      : []),
    ...(delWire && delMpop
      ? [
          `| the least a Node.js client can take for it: wire deleting / mpop | ${(delWire.wallS / delMpop.wallS).toFixed(2)} | | ${delWire.wallS / delMpop.wallS > TARGETS.deletingOverMpop ? 'the goal is below it' : ''} |`,
          ...(delOurs ? [`| deleting fetch: ours / wire deleting | ${(delOurs.wallS / delWire.wallS).toFixed(2)} | | |`] : []),
        ]
      : []),
    `| peak RSS of a keeping fetch | ${ours.maxRssMB.toFixed(0)} MB | <= ${TARGETS.peakRssMB} MB | ${mark(ours.maxRssMB <= TARGETS.peakRssMB)} |`,
    mpopRefetch
      ? `| re-fetch, nothing new: ours / mpop's | ${(refetch.wallS / mpopRefetch.wallS).toFixed(2)} (${refetch.wallS.toFixed(3)} s / ${mpopRefetch.wallS.toFixed(3)} s) | <= ${TARGETS.refetchOverMpop} | ${mark(refetch.wallS / mpopRefetch.wallS <= TARGETS.refetchOverMpop)} |`
      : `| re-fetch, nothing new | ${refetch.wallS.toFixed(3)} s | | |`,
    ...(mpopRefetch && node
      ? [
          `| the least a Node.js CLI can take for it: node startup + mpop's re-fetch, over mpop's | ${((node.wallS + mpopRefetch.wallS) / mpopRefetch.wallS).toFixed(2)} (${node.wallS.toFixed(3)} s + ${mpopRefetch.wallS.toFixed(3)} s) | | ${(node.wallS + mpopRefetch.wallS) / mpopRefetch.wallS > TARGETS.refetchOverMpop ? 'the goal is below it' : ''} |`,
        ]
      : []),
    ...(r.loop ? [loopRow(`an in-process fetch of ${r.messages}`, r.loop.fetch), loopRow('opening a 100,000-message store (snapshot)', r.loop.open100k), loopRow('opening it from the JSON log alone', r.loop.open100kFromLog), ...(r.loop.open100kNoStamp ? [loopRow('opening it without its stamp', r.loop.open100kNoStamp)] : [])] : []),
    ...microLines(r.micro),
    `| list 100,000 index entries | ${r.micro.list100kMs.toFixed(1)} ms | <= ${TARGETS.list100kMs} ms | ${mark(r.micro.list100kMs <= TARGETS.list100kMs)} |`,
    ...Object.entries(r.micro.show).map(([k, v]) => `| show (parse for the view) ${k} | ${v.toFixed(0)} ms | ${k.startsWith('1 MB') ? `<= ${TARGETS.show1MBMs} ms` : ''} | ${k.startsWith('1 MB') ? mark(show1 <= TARGETS.show1MBMs) : ''} |`),
    ...Object.entries(r.micro.bundleBytes).map(([k, v]) => `| size of ${k} | ${(v / 1024).toFixed(0)} KiB | | |`),
    '',
  ];
  return lines.join('\n');
}

/** The 100,000-message store rows (also printed alone by `--only micro`). */
export function microLines(m: MicroResults): string[] {
  return [
    `| open a 100,000-message store (index snapshot) | ${m.openStore100kMs.toFixed(0)} ms | | |`,
    ...(m.openStore100kLogMs === undefined ? [] : [`| open it from the JSON log alone (first open after an upgrade) | ${m.openStore100kLogMs.toFixed(0)} ms | | |`]),
    ...(m.openStore100kNoStampMs === undefined ? [] : [`| open it without its stamp (after an unclean stop: every file name checked) | ${m.openStore100kNoStampMs.toFixed(0)} ms | | |`]),
    ...(m.firstSearch100kMs === undefined ? [] : [`| read all 100,000 subjects and senders (first search) | ${m.firstSearch100kMs.toFixed(0)} ms | | |`]),
  ];
}

/** A horizontal bar chart of median fetch wall time per client. */
export function chartSvg(r: Results): string {
  const entries = Object.entries(r.fetch);
  const max = Math.max(...entries.map(([, s]) => s.wallS));
  const barW = 420;
  const rowH = 30;
  const h = 50 + entries.length * rowH;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = entries.map(([name, s], i) => {
    const y = 40 + i * rowH;
    const w = Math.max(1, (s.wallS / max) * barW);
    return `<text x="150" y="${y + 15}" text-anchor="end">${esc(name)}</text><rect x="160" y="${y}" width="${w.toFixed(1)}" height="20" fill="${name.startsWith('pop3-mail') ? '#2f7d32' : '#607d8b'}"/><text x="${(165 + w).toFixed(1)}" y="${y + 15}">${s.wallS.toFixed(2)} s</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="680" height="${h}" font-family="sans-serif" font-size="13"><text x="10" y="22" font-weight="bold">Fetch ${r.messages} messages (${r.megabytes.toFixed(0)} MB), median wall time</text>${rows.join('')}</svg>\n`;
}

/**
 * Puts `md` into bench/RESULTS.md between the markers of section `name`
 * (<!-- bench:name --> ... <!-- /bench:name -->), at the end when the file
 * has none yet: a run rewrites its own figures and leaves the other runs'
 * sections and the written analysis as they are.
 */
export function writeSection(file: string, name: string, md: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${md.trim()}\n${close}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next = start !== -1 && end > start ? current.slice(0, start) + block + current.slice(end + close.length) : `${current.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, next);
}
