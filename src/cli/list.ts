import { safeFileName } from '../mail/filename';
import { MailStore } from '../store/store';
import { parseArgs, UsageError } from './args';
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

/** `show ID`: the message as parsed: headers, text, html, attachments with safe names (no bodies). */
export async function cmdShow(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, { values: ['store'], flags: ['json'], required: ['store'], positionals: 1 });
  const id = args.positionals[0];
  if (!id) throw new UsageError('show needs a message id (see list)');
  const store = await MailStore.open(args.values.get('store')!);
  const summary = store.get(id);
  if (!summary) throw new UsageError(`no message with id ${id} in this store`);
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(await store.readRaw(id), { skipTextToHtml: true, skipTextLinks: true });
  const out = {
    id,
    uidl: summary.uidl,
    headersOnly: summary.headersOnly === true,
    headers: [...parsed.headerLines].map((h) => ({ key: h.key, line: h.line })),
    subject: parsed.subject ?? '',
    from: parsed.from?.value ?? [],
    to: (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    attachments: parsed.attachments.map((a, i) => ({
      index: i,
      name: safeFileName(a.filename, `attachment-${i + 1}`),
      contentType: a.contentType,
      size: a.size,
      inline: a.contentDisposition === 'inline',
      contentId: a.cid ?? '',
    })),
  };
  if (json) write(JSON.stringify(out));
  else {
    write(`Subject: ${oneLine(out.subject)}\nDate: ${out.date}\n`);
    write(out.text);
    for (const a of out.attachments) write(`[attachment ${a.index}] ${oneLine(a.name)} (${a.contentType}, ${a.size} bytes)`);
  }
  return 0;
}
