// Before and after: the functions that were super-linear on long runs of one
// character, timed on such runs at 16 KB, 64 KB and 2 MB, in this tree and
// (with --old <commit>) in an older commit checked out into .scratch/. Figures,
// not tests. An old run whose quadratic extrapolation passes the cap is not
// run; the table shows the estimate instead.
//
//   node --import tsx bench/pathological.ts [--old <commit>]

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { installWebviewDom } from '../test/support/webview-dom';

const ROOT = path.resolve(path.dirname(__filename), '..');
const SIZES = [16 * 1024, 64 * 1024, 2 * 1024 * 1024];
/** An old run predicted to take longer than this is skipped. */
const CAP_MS = 30_000;

interface Entry {
  readonly name: string;
  /** The input for a size. */
  readonly input: (n: number) => string;
  /** Runs the function of one tree on the input. */
  readonly run: (tree: Tree, input: string) => unknown;
}

/** The modules of one tree (this one, or an old checkout). */
interface Tree {
  readonly headers: typeof import('../src/mail/headers');
  readonly summary: typeof import('../src/mail/summary');
  readonly filename: typeof import('../src/mail/filename');
  readonly encodedWords: typeof import('../src/mail/encoded-words');
  readonly render: typeof import('../webview-ui/render');
  readonly sanitize: typeof import('../webview-ui/sanitize');
  /** cleanCss moved between modules; either place. */
  readonly cleanCss: (css: string) => { css: string; blocked: number };
  /** The host's file:line scanner (its module imports vscode, so it is read as text and its pattern or scanner used). */
  readonly fileRefs: (text: string) => unknown;
}

function loadTree(dir: string): Tree {
  // Synchronous loading of a tree chosen at run time (tsx compiles it).
  const load = createRequire(__filename);
  const req = (p: string): unknown => load(path.join(dir, p));
  const css = fs.existsSync(path.join(dir, 'src/shared/clean-css.ts')) ? req('src/shared/clean-css.ts') : req('src/shared/mail-policy.ts');
  let fileRefs: (text: string) => unknown;
  if (fs.existsSync(path.join(dir, 'src/shared/text-links.ts'))) {
    const links = req('src/shared/text-links.ts') as typeof import('../src/shared/text-links');
    fileRefs = (text) => [...links.findFileRefs(text)].length;
  } else {
    // The host module imports vscode: take its pattern from the source text.
    const source = fs.readFileSync(path.join(dir, 'src/vscode/message-view/file-refs.ts'), 'utf8');
    const line = source.split('\n').find((l) => l.startsWith('const REF = /'));
    if (!line) throw new Error('no REF pattern in the old file-refs.ts');
    const literal = line.slice('const REF = '.length, line.lastIndexOf(';'));
    const pattern = new RegExp(literal.slice(1, literal.lastIndexOf('/')), literal.slice(literal.lastIndexOf('/') + 1));
    fileRefs = (text) => [...text.matchAll(pattern)].length;
  }
  return {
    headers: req('src/mail/headers.ts') as Tree['headers'],
    summary: req('src/mail/summary.ts') as Tree['summary'],
    filename: req('src/mail/filename.ts') as Tree['filename'],
    encodedWords: req('src/mail/encoded-words.ts') as Tree['encodedWords'],
    render: req('webview-ui/render.ts') as Tree['render'],
    sanitize: req('webview-ui/sanitize.ts') as Tree['sanitize'],
    cleanCss: (css as { cleanCss: Tree['cleanCss'] }).cleanCss,
    fileRefs,
  };
}

/** Checks a commit out into .scratch/ (inside the repository, so its imports find node_modules). */
function checkout(commit: string): string {
  const dir = path.join(ROOT, '.scratch', `old-${commit}`);
  if (!fs.existsSync(path.join(dir, 'src'))) {
    fs.mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', commit, 'src', 'webview-ui'], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  return dir;
}

const mail = (headers: string[], body = 'Hello.\r\n'): Buffer => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1');

const ENTRIES: Entry[] = [
  { name: 'parseDate, run of "("', input: (n) => '('.repeat(n), run: (t, s) => t.headers.parseDate(s) },
  { name: 'parseAddressList, run of "("', input: (n) => '('.repeat(n), run: (t, s) => t.headers.parseAddressList(s) },
  { name: 'parseAddressList, "<a>(" repeated', input: (n) => '<a>('.repeat(n >> 2), run: (t, s) => t.headers.parseAddressList(s) },
  { name: 'summarize, From and Date of "("', input: (n) => '('.repeat(n), run: (t, s) => t.summary.summarize(mail([`From: ${s.slice(0, 30_000)}`, `Date: ${s.slice(0, 30_000)}`])) },
  { name: 'file refs, run of "@"', input: (n) => '@'.repeat(n), run: (t, s) => t.fileRefs(s) },
  { name: 'file refs, run of "+"', input: (n) => '+'.repeat(n), run: (t, s) => t.fileRefs(s) },
  { name: 'cleanCss, run of "a"', input: (n) => 'a'.repeat(n), run: (t, s) => t.cleanCss(s) },
  { name: 'cleanCss, run of "-"', input: (n) => '-'.repeat(n), run: (t, s) => t.cleanCss(s) },
  { name: 'webview text links, URL then "." run', input: (n) => `https://x.example/${'.'.repeat(n)}a`, run: (t, s) => t.render.textWithLinks(s, [], () => undefined) },
  { name: 'countRemote, "src=" then spaces', input: (n) => `src=${' '.repeat(n)}`, run: (t, s) => t.sanitize.countRemote(s) },
  { name: 'safeFileName, run of "." inside', input: (n) => `a${'.'.repeat(n)}b`, run: (t, s) => t.filename.safeFileName(s) },
  { name: 'Q-encoded word, run of "a"', input: (n) => `=?utf-8?q?${'a'.repeat(n)}?=`, run: (t, s) => t.encodedWords.decodeEncodedWords(s) },
];

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Best of a few runs for small inputs, one run for large ones. */
function measure(fn: () => unknown, n: number): number {
  const rounds = n <= 64 * 1024 ? 3 : 1;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) best = Math.min(best, time(fn));
  return best;
}

function fmt(ms: number): string {
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(0)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms.toFixed(1)} ms`;
}

function main(): void {
  const oldIndex = process.argv.indexOf('--old');
  const oldCommit = oldIndex === -1 ? undefined : process.argv[oldIndex + 1];
  const dom = installWebviewDom();
  const now = loadTree(ROOT);
  const old = oldCommit === undefined ? undefined : loadTree(checkout(oldCommit));
  const label = (n: number): string => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MB` : `${n / 1024} KB`);
  const head = ['case', ...SIZES.flatMap((n) => (old ? [`old ${label(n)}`, `new ${label(n)}`, 'old / new'] : [`new ${label(n)}`]))];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const entry of ENTRIES) {
    const cells = [entry.name];
    let previousOld: { n: number; ms: number } | undefined;
    for (const n of SIZES) {
      const input = entry.input(n);
      const fresh = measure(() => entry.run(now, input), n);
      if (old) {
        // Quadratic extrapolation from the last old figure: skip what would pass the cap.
        const predicted = previousOld ? previousOld.ms * (n / previousOld.n) ** 2 : 0;
        if (predicted > CAP_MS) cells.push(`≈ ${fmt(predicted)} (not run)`);
        else {
          const ms = measure(() => entry.run(old, input), n);
          previousOld = { n, ms };
          cells.push(fmt(ms));
        }
        const oldMs = predicted > CAP_MS ? predicted : previousOld!.ms;
        cells.push(fmt(fresh), `${(oldMs / Math.max(fresh, 0.05)).toFixed(0)}x`);
      } else cells.push(fmt(fresh));
    }
    console.log(`| ${cells.join(' | ')} |`);
  }
  dom.close();
}

main();
