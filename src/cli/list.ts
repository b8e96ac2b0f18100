import { MailStore } from '../store/store';
import { parseArgs } from './args';
import { oneLine, write } from './common';

export async function cmdList(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, { values: ['store'], flags: ['json'], required: ['store'] });
  const store = await MailStore.open(args.values.get('store')!);
  const rows = store.list().map((m) => ({
    id: m.id,
    uidl: m.uidl,
    subject: m.subject,
    from: m.from,
    date: m.date,
    size: m.size,
    seen: m.seen,
    hasAttachments: m.hasAttachments,
    headersOnly: m.headersOnly === true,
  }));
  if (json) {
    write(JSON.stringify(rows));
    return 0;
  }
  for (const r of rows) write(`${r.date.slice(0, 10) || '----------'}  ${oneLine(r.from.name || r.from.address).padEnd(24).slice(0, 24)}  ${oneLine(r.subject)}`);
  return 0;
}
