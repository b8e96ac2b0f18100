// `pop3-mail show ID`: the message as the editor's message view shows it,
// from the same parser (src/mail/view.ts): headers, the text, attachments
// with safe names and sizes, notices, and how the mail was fetched. Text mode
// prints only terminal-safe text (no escape sequences, no control or bidi
// characters); --json prints the view model itself (JSON escapes controls).

import { htmlToText } from '../mail/html-text';
import { parseMessageView } from '../mail/view';
import type { MessageView } from '../shared/webview-protocol';
import { MailStore } from '../store/store';
import { securityLineText } from '../store/transport';
import type { MessageSummary } from '../store/types';
import { parseArgs, UsageError } from './args';
import { write } from './common';
import { terminalLine, terminalSafe } from './terminal';

export interface ShowModel {
  readonly id: string;
  readonly uidl: string;
  readonly headersOnly: boolean;
  readonly subject: string;
  readonly from: MessageView['from'];
  readonly to: string;
  readonly cc: string;
  /** ISO 8601, or '' when the message has no valid date. */
  readonly date: string;
  /** How the store's mail was fetched; '' when the store has no record of it. */
  readonly security: string;
  /** The readable text: the plain-text parts, or the HTML ones turned into text. */
  readonly text: string;
  readonly textFrom: 'plain' | 'html' | 'none';
  /** The body parts as the editor gets them (text and/or HTML, unsanitised HTML). */
  readonly body: MessageView['body'];
  readonly attachments: ReadonlyArray<{ readonly index: number; readonly name: string; readonly contentType: string; readonly size: number }>;
  readonly notices: readonly string[];
}

/** One body unit's readable text: its plain text if it has one, else its HTML as text. */
function readable(body: MessageView['body']): { text: string; from: ShowModel['textFrom'] } {
  const parts: string[] = [];
  let plain = false;
  let html = false;
  for (const part of body) {
    if (part.text !== undefined) {
      parts.push(part.text);
      plain = true;
    } else if (part.html !== undefined) {
      parts.push(htmlToText(part.html));
      html = true;
    }
  }
  return { text: parts.join('\n\n'), from: plain ? 'plain' : html ? 'html' : 'none' };
}

/** The model `show` prints, from the stored bytes (pure: the unit tests call it). */
export function showModel(summary: Pick<MessageSummary, 'id' | 'uidl' | 'headersOnly'>, raw: Buffer, security: string): ShowModel {
  const { view } = parseMessageView(summary.id, raw);
  const { text, from } = readable(view.body);
  return {
    id: summary.id,
    uidl: summary.uidl,
    headersOnly: summary.headersOnly === true,
    subject: view.subject,
    from: view.from,
    to: view.to,
    cc: view.cc,
    date: view.date,
    security,
    text,
    textFrom: from,
    body: view.body,
    attachments: view.attachments.map((a, index) => ({ index, name: a.name, contentType: a.contentType, size: a.size })),
    notices: view.notices,
  };
}

/** The text-mode rendering; every piece of message text goes through terminalSafe. */
export function showText(m: ShowModel): string {
  const from = m.from.name ? `${m.from.name} <${m.from.address}>` : m.from.address;
  const lines = [`From: ${terminalLine(from)}`];
  if (m.to) lines.push(`To: ${terminalLine(m.to)}`);
  if (m.cc) lines.push(`Cc: ${terminalLine(m.cc)}`);
  lines.push(`Date: ${m.date || '(no date)'}`, `Subject: ${terminalLine(m.subject)}`);
  if (m.security) lines.push(`Security: ${m.security}`);
  if (m.headersOnly) lines.push('Only the headers are stored (the message was over the size limit).');
  for (const n of m.notices) lines.push(`Note: ${terminalLine(n)}`);
  lines.push('');
  if (m.textFrom === 'html') lines.push('[HTML message shown as text]');
  lines.push(terminalSafe(m.text));
  for (const a of m.attachments) lines.push(`[attachment ${a.index}] ${terminalLine(a.name)} (${terminalLine(a.contentType)}, ${a.size} bytes)`);
  return lines.join('\n');
}

export async function cmdShow(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, { values: ['store'], flags: ['json'], required: ['store'], positionals: 1 });
  const id = args.positionals[0];
  if (!id) throw new UsageError('show needs a message id (see list)');
  const store = await MailStore.open(args.values.get('store')!);
  const summary = store.get(id);
  if (!summary) throw new UsageError(`no message with id ${id} in this store`);
  const transport = store.readState().transport;
  const model = showModel(summary, await store.readRaw(id), transport ? securityLineText(transport) : '');
  write(json ? JSON.stringify(model) : showText(model));
  return 0;
}
