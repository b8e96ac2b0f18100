// Puts a message into the page. Text only: every value goes through
// textContent, never innerHTML, so nothing in a message is parsed as HTML.
import type { MessageView } from '../src/shared/messages';

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`message view: #${id} missing from the template`);
  return element;
}

function localDate(iso: string): string {
  if (iso === '') return '(no date)';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '(no date)';
  return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function setStatus(message: string | undefined, isError: boolean): void {
  const status = byId('status');
  status.hidden = message === undefined;
  status.classList.toggle('error', isError);
  byId('loading').hidden = isError || message === undefined;
  byId('status-text').textContent = message ?? '';
  byId('message').setAttribute('aria-busy', 'false');
}

export function showMessage(view: MessageView): void {
  const subject = text(view.subject) || '(no subject)';
  byId('subject').textContent = subject;
  document.title = subject;

  // SECURITY.md T32: the real address is always shown next to the display name.
  const name = text(view.from?.name);
  const address = text(view.from?.address);
  byId('from-name').textContent = name;
  byId('from-name').hidden = name === '';
  byId('from-address').textContent = name === '' ? address || '(unknown sender)' : `<${address || 'no address'}>`;

  byId('to').textContent = text(view.to) || '(none)';
  const cc = text(view.cc);
  byId('cc').textContent = cc;
  byId('cc').hidden = cc === '';
  byId('cc-label').hidden = cc === '';

  const date = byId('date');
  date.textContent = localDate(text(view.date));
  date.setAttribute('datetime', text(view.date));

  byId('body').textContent = text(view.text);
  setStatus(undefined, false);
}

export function showError(message: string): void {
  byId('body').textContent = '';
  setStatus(text(message) || 'The message could not be shown.', true);
}
