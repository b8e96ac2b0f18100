import type { AddressObject } from 'mailparser';
import type { MessageView } from '../shared/messages';
import { displaySafe } from './summary';

function addresses(value: AddressObject | AddressObject[] | undefined): { name: string; address: string }[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((group) =>
    group.value.flatMap((a) => (a.group ? a.group : [a])).map((a) => ({ name: a.name ?? '', address: a.address ?? '' })),
  );
}

function joined(list: { name: string; address: string }[]): string {
  return displaySafe(list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', '));
}

/**
 * Full parse of a stored message into what the message view shows. mailparser
 * is loaded here, on first use, never at activation.
 */
export async function parseMessageView(id: string, raw: Buffer): Promise<MessageView> {
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw, { skipHtmlToText: false, skipTextToHtml: true, skipTextLinks: true });
  const from = addresses(parsed.from)[0] ?? { name: '', address: '' };
  return {
    id,
    subject: displaySafe(parsed.subject ?? ''),
    from: { name: displaySafe(from.name), address: displaySafe(from.address) },
    to: joined(addresses(parsed.to)),
    cc: joined(addresses(parsed.cc)),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : '',
    text: parsed.text ?? '',
  };
}
