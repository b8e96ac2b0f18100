// `pop3-mail search QUERY --store DIR [--json] [--limit N]`: full-text search
// over a store, ranked by relevance then date (src/search). Builds or
// updates the store's search index first (and saves it), so a store
// fetched by an older version or by another tool is searchable too. Text
// mode prints terminal-safe lines only; matched words are bold on a terminal.

import { AccountIndex } from '../search/account-index';
import { MailStore } from '../store/store';
import { parseArgs, UsageError } from './args';
import { oneLine, parseCount, write } from './common';
import { terminalLine } from './terminal';

const DEFAULT_LIMIT = 50;

function emphasised(text: string, highlights: ReadonlyArray<readonly [number, number]>): string {
  if (!process.stdout.isTTY || process.env['NO_COLOR'] !== undefined) return terminalLine(text);
  let out = '';
  let at = 0;
  for (const [start, end] of highlights) {
    out += `${terminalLine(text.slice(at, start))}\u001b[1m${terminalLine(text.slice(start, end))}\u001b[22m`;
    at = end;
  }
  return out + terminalLine(text.slice(at));
}

export async function cmdSearch(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, { values: ['store', 'limit'], flags: ['json'], required: ['store'], positionals: 64 });
  const query = args.positionals.join(' ').trim();
  if (query === '') throw new UsageError('search needs a query');
  const limit = parseCount('limit', args.values.get('limit')) ?? DEFAULT_LIMIT;
  const store = await MailStore.open(args.values.get('store')!);
  const index = AccountIndex.open(store.dir);
  if (index.damaged !== '') process.stderr.write(`pop3-mail: the search index was damaged (${oneLine(index.damaged)}); rebuilding it\n`);
  index.sync(store.all());
  try {
    index.save();
  } catch (err) {
    // A read-only store can still be searched; only the next run pays the build again.
    process.stderr.write(`pop3-mail: could not save the search index: ${oneLine((err as Error).message)}\n`);
  }
  const result = index.search(query, limit);
  if (result.problems.length > 0) process.stderr.write(`pop3-mail: not understood: ${oneLine(result.problems.join(', '))}\n`);
  const rows = result.hits.flatMap((h) => {
    const m = store.get(h.id);
    return m ? [{ id: m.id, uidl: m.uidl, subject: m.subject, from: m.from, date: m.date, score: Number(h.score.toFixed(3)), snippet: h.snippet.text, highlights: h.snippet.highlights }] : [];
  });
  if (json) {
    write(JSON.stringify({ total: result.total, results: rows }));
    return 0;
  }
  for (const r of rows) {
    write(`${r.date.slice(0, 10) || '----------'}  ${oneLine(r.from.name || r.from.address).padEnd(24).slice(0, 24)}  ${oneLine(r.subject)}  [${r.id}]`);
    if (r.snippet !== '') write(`    ${emphasised(r.snippet, r.highlights)}`);
  }
  if (result.total > rows.length) write(`(${result.total} matches, first ${rows.length} shown)`);
  return 0;
}
