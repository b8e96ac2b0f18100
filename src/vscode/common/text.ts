// Pure text helpers for what the editor shows (tree labels, notifications,
// progress). No vscode import, so unit tests can use them directly.
import { l10n } from './l10n';

/** Bidi embedding/override/isolate controls and the LRM/RLM/ALM marks (docs/security.md T27, T31). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** C0 and C1 controls, DEL, and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Removes bidi control characters, so a display name cannot reorder what is shown next to it. */
export function stripBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** Cuts `text` to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}\u2026`;
}

/** One line for a tree label or title: no bidi controls, controls as spaces, whitespace collapsed, length capped. */
export function displayLine(text: string, max = 200): string {
  return truncate(stripBidi(text).replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim(), max);
}

/**
 * Untrusted or semi-trusted text (server replies, error messages) made safe
 * for a notification: one line, no controls or bidi, truncated, and with
 * the `[label](target)` syntax broken, because VS Code notifications turn
 * that into a clickable link (a `command:` link from a server reply would be
 * one click away from running a command).
 */
export function notificationText(text: string, max = 300): string {
  return displayLine(text, max).replace(/\]\s*\(/g, '] (');
}

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

/** Every ASCII punctuation character, each of which CommonMark lets a backslash escape. */
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Untrusted text as literal Markdown: one line (displayLine), every ASCII
 * punctuation character backslash-escaped, so a subject or name cannot make
 * a link, an image, HTML, emphasis, a heading or an autolink in a tooltip.
 */
export function escapeMarkdown(text: string, max = 200): string {
  return displayLine(text, max).replace(MARKDOWN_PUNCTUATION, '\\$&');
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
  const name = escapeMarkdown(m.from.name, 120);
  const address = escapeMarkdown(m.from.address, 200);
  const sender = name && address && displayLine(m.from.name) !== displayLine(m.from.address) ? `${name} \\<${address}\\>` : address || name || escapeMarkdown(l10n.t('(unknown sender)'));
  const facts = [
    escapeMarkdown(longDate(m.date, locale)),
    m.headersOnly ? l10n.t('headers only, {0} on the server', formatBytes(m.serverSize ?? m.size)) : formatBytes(m.size),
    ...(m.hasAttachments ? [l10n.t('with attachments')] : []),
    m.seen ? l10n.t('read') : l10n.t('unread'),
  ].join(' \u00b7 ');
  const lines = [`**${escapeMarkdown(m.subject, 300) || escapeMarkdown(l10n.t('(no subject)'))}**`, '', l10n.t('From: {0}', sender), '', facts];
  const snippet = escapeMarkdown(m.snippet, 300);
  if (snippet) lines.push('', '---', '', snippet);
  return lines.join('\n');
}
