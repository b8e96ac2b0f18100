// Pure text helpers for what the editor shows (sizes, dates, progress, the
// message tooltip). Escaping for each surface is in surface-text.ts. No
// vscode import, so unit tests can use them directly.
import { l10n } from './l10n';
import { displayLine, forMarkdown } from './surface-text';

export { displayLine, stripBidi, truncate } from './surface-text';

/** Bytes for people: "812 B", "4.0 KB", "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** "12/40 messages, 1.2 MB" */
export function progressText(messages: number, totalMessages: number, bytes: number): string {
  return l10n.t('{0}/{1} messages, {2}', messages, totalMessages, formatBytes(bytes));
}

function parseDate(iso: string): Date | undefined {
  if (iso === '') return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A short local date for the tree: the time for today, day and month this year, else the full date. */
export function shortDate(iso: string, locale?: string, now: Date = new Date()): string {
  const date = parseDate(iso);
  if (!date) return '';
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  }
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
  }
  return date.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A full local date and time for tooltips, or '(no date)'. */
export function longDate(iso: string, locale?: string): string {
  const date = parseDate(iso);
  return date ? date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : l10n.t('(no date)');
}

/** "Name <address>", or just the address (or name) when the other is missing. */
export function mailbox(from: { readonly name: string; readonly address: string }): string {
  const name = displayLine(from.name, 120);
  const address = displayLine(from.address, 200);
  if (name && address && name !== address) return `${name} <${address}>`;
  return address || name || l10n.t('(unknown sender)');
}

/** What a message tooltip says, as Markdown with every untrusted part escaped. */
export interface TooltipFacts {
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly date: string;
  readonly size: number;
  readonly serverSize?: number;
  readonly hasAttachments: boolean;
  readonly headersOnly?: boolean;
  readonly seen: boolean;
  readonly snippet: string;
}

export function messageTooltip(m: TooltipFacts, locale?: string): string {
  const name = forMarkdown(m.from.name, 120);
  const address = forMarkdown(m.from.address, 200);
  const sender = name && address && displayLine(m.from.name) !== displayLine(m.from.address) ? `${name} \\<${address}\\>` : address || name || forMarkdown(l10n.t('(unknown sender)'));
  const facts = [
    forMarkdown(longDate(m.date, locale)),
    m.headersOnly ? l10n.t('headers only, {0} on the server', formatBytes(m.serverSize ?? m.size)) : formatBytes(m.size),
    ...(m.hasAttachments ? [l10n.t('with attachments')] : []),
    m.seen ? l10n.t('read') : l10n.t('unread'),
  ].join(' \u00b7 ');
  const lines = [`**${forMarkdown(m.subject, 300) || forMarkdown(l10n.t('(no subject)'))}**`, '', l10n.t('From: {0}', sender), '', facts];
  const snippet = forMarkdown(m.snippet, 300);
  if (snippet) lines.push('', '---', '', snippet);
  return lines.join('\n');
}
