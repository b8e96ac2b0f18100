// Puts a message into the page. Header fields and plain text go through
// textContent, never innerHTML. HTML parts are sanitized one by one
// (sanitize.ts) and shown in sandboxed srcdoc frames: no allow-scripts, no
// allow-same-origin (docs/security.md "Webview defaults").
import type { AttachmentInfo, BodyPart, FromWebview, MessageView, ViewOptions } from '../src/shared/webview-protocol';
import { findFileRefs, findUrls } from '../src/shared/text-links';
import type { FrameLinks } from './links';
import { countRemote, sanitizeHtmlPart } from './sanitize';
import { t } from './strings';

export type Post = (message: FromWebview) => void;

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`message view: #${id} missing from the template`);
  return element;
}

function localDate(iso: string): string {
  if (iso === '') return t('noDate');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return t('noDate');
  return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function setStatus(message: string | undefined, isError: boolean): void {
  const status = byId('status');
  status.hidden = message === undefined;
  status.classList.toggle('error', isError);
  byId('loading').hidden = isError || message === undefined;
  byId('status-text').textContent = message ?? '';
  byId('message').setAttribute('aria-busy', 'false');
}

/** A link-like element without href: VS Code's webview would open an href itself, without asking. */
function linkElement(label: string, title: string, activate: () => void): HTMLElement {
  const a = document.createElement('a');
  a.textContent = label;
  a.title = title;
  a.tabIndex = 0;
  a.setAttribute('role', 'link');
  a.className = 'text-link';
  a.addEventListener('click', (e) => {
    e.preventDefault();
    activate();
  });
  a.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      activate();
    }
  });
  return a;
}

/** Plain text with http/https/mailto URLs and known `path:line` references made clickable (through the host). */
export function textWithLinks(body: string, fileRefs: readonly string[], post: Post): DocumentFragment {
  const fragment = document.createDocumentFragment();
  // Only references the host found in this message and checked against the workspace.
  const known = new Set(fileRefs.filter((r) => typeof r === 'string' && r.length > 0 && r.length < 500).slice(0, 500));
  const pushText = (segment: string): void => {
    if (segment === '') return;
    let last = 0;
    if (known.size > 0) {
      for (const m of findFileRefs(segment)) {
        if (!known.has(m.ref)) continue;
        if (m.index > last) fragment.append(segment.slice(last, m.index));
        const ref = m.ref;
        fragment.append(linkElement(ref, t('openLabel', ref), () => post({ type: 'openFile', ref })));
        last = m.index + ref.length;
      }
    }
    if (last < segment.length) fragment.append(segment.slice(last));
  };
  let last = 0;
  for (const { index, url } of findUrls(body)) {
    pushText(body.slice(last, index));
    const href = url;
    fragment.append(linkElement(url, href, () => post({ type: 'openLink', href })));
    last = index + url.length;
  }
  pushText(body.slice(last));
  return fragment;
}

interface State {
  view: MessageView;
  options: ViewOptions;
  mode: 'html' | 'text';
}

let state: State | undefined;

function showAttachments(list: readonly AttachmentInfo[], post: Post): void {
  const section = byId('attachments');
  const ul = byId('attachment-list');
  ul.replaceChildren();
  section.hidden = list.length === 0;
  byId('attachments-title').textContent = list.length === 1 ? t('oneAttachment') : t('attachments', list.length);
  for (const a of list) {
    const li = document.createElement('li');
    li.className = 'attachment';
    const name = document.createElement('span');
    name.className = 'attachment-name';
    name.textContent = text(a.name);
    name.title = text(a.name);
    const meta = document.createElement('span');
    meta.className = 'attachment-meta';
    meta.textContent = `${text(a.contentType)} \u00b7 ${formatBytes(a.size)}`;
    const save = document.createElement('vscode-button');
    save.setAttribute('appearance', 'secondary');
    save.setAttribute('aria-label', t('saveLabel', text(a.name)));
    save.className = 'attachment-save';
    save.textContent = t('save');
    save.addEventListener('click', () => post({ type: 'saveAttachment', id: a.id }));
    const open = document.createElement('vscode-button');
    open.setAttribute('appearance', 'secondary');
    open.setAttribute('aria-label', t('openLabel', text(a.name)));
    open.className = 'attachment-open';
    open.textContent = t('open');
    open.addEventListener('click', () => post({ type: 'openAttachment', id: a.id }));
    li.append(name, meta, save, open);
    ul.append(li);
  }
}

function renderBody(post: Post, links: FrameLinks): void {
  if (!state) return;
  const { view, options, mode } = state;
  const body = byId('body');
  body.replaceChildren();
  // For the e2e test that runs the corpus with the test-only switch: which mode rendered this.
  body.dataset['sanitized'] = String(options.sanitize);
  links.clear();
  const cidImages = new Map(view.inlineImages.map((i) => [i.cid, i.dataUrl] as const));
  let remote = 0;
  let htmlIndex = 0;
  const parts: readonly BodyPart[] = view.body;
  const htmlParts = parts.filter((p) => p.html !== undefined && (mode === 'html' || p.text === undefined)).length;
  for (const part of parts) {
    if (part.html !== undefined && (mode === 'html' || part.text === undefined)) {
      const index = htmlIndex++;
      let html: string;
      if (options.sanitize) {
        const result = sanitizeHtmlPart(part.html, {
          cidImages,
          remoteAllowed: options.remote === 'allowed',
          linkUrl: (i) => links.url(index, i),
        });
        links.setLinks(index, result.links);
        remote += result.remoteBlocked;
        html = result.html;
      } else {
        // Test-only (pop3Mail.test.disableSanitizer): the CSP and the sandbox must hold alone.
        remote += countRemote(part.html);
        html = part.html;
      }
      const frame = document.createElement('iframe');
      // Empty sandbox: no scripts, opaque origin, no forms, popups or top navigation.
      frame.setAttribute('sandbox', '');
      frame.setAttribute('referrerpolicy', 'no-referrer');
      frame.setAttribute('title', htmlParts > 1 ? t('contentPart', index + 1) : t('content'));
      frame.className = htmlParts > 1 ? 'html-part several' : 'html-part';
      frame.srcdoc = html;
      body.append(frame);
    } else if (part.text !== undefined) {
      const pre = document.createElement('pre');
      pre.className = 'text-part';
      pre.dir = 'auto';
      pre.append(textWithLinks(text(part.text), options.fileRefs, post));
      body.append(pre);
    }
  }
  if (parts.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'empty';
    empty.textContent = t('noText');
    body.append(empty);
  }
  const banner = byId('remote-banner');
  banner.hidden = !(remote > 0 && options.remote === 'blocked');
  byId('remote-text').textContent = remote === 1 ? t('remoteOne') : t('remoteMany', remote);
  byId('trust-sender').hidden = !options.canTrustSender;
  byId('view-toggle').hidden = !parts.some((p) => p.html !== undefined && p.text !== undefined);
  byId('show-html').setAttribute('aria-pressed', String(mode === 'html'));
  byId('show-text').setAttribute('aria-pressed', String(mode === 'text'));
  byId('show-html').setAttribute('appearance', mode === 'html' ? 'primary' : 'secondary');
  byId('show-text').setAttribute('appearance', mode === 'text' ? 'primary' : 'secondary');
}

/** Renders the body again: after a link click, the frame shows the browser's "blocked" page instead of the mail. */
export function refreshBody(post: Post, links: FrameLinks): void {
  renderBody(post, links);
}

export function setMode(mode: 'html' | 'text', post: Post, links: FrameLinks): void {
  if (!state || state.mode === mode) return;
  state.mode = mode;
  renderBody(post, links);
}

export function showMessage(view: MessageView, options: ViewOptions, post: Post, links: FrameLinks): void {
  byId('fields').hidden = false;
  const subject = text(view.subject) || t('noSubject');
  byId('subject').textContent = subject;
  document.title = subject;

  // docs/security.md T32: the real address is always shown next to the display name.
  const name = text(view.from?.name);
  const address = text(view.from?.address);
  byId('from-name').textContent = name;
  byId('from-name').hidden = name === '';
  byId('from-address').textContent = name === '' ? address || t('unknownSender') : `<${address || t('noAddress')}>`;

  byId('to').textContent = text(view.to) || t('none');
  const cc = text(view.cc);
  byId('cc').textContent = cc;
  byId('cc').hidden = cc === '';
  byId('cc-label').hidden = cc === '';

  const date = byId('date');
  date.textContent = localDate(text(view.date));
  date.setAttribute('datetime', text(view.date));

  const security = text(options.security);
  byId('security').hidden = security === '';
  byId('security-text').textContent = security;

  const notices = byId('notices');
  notices.replaceChildren(...view.notices.map((n) => Object.assign(document.createElement('p'), { textContent: text(n) })));
  notices.hidden = view.notices.length === 0;
  byId('file-links-off').hidden = options.fileRefsOff !== true;

  showAttachments(view.attachments, post);
  const hasHtml = view.body.some((p) => p.html !== undefined);
  state = { view, options, mode: hasHtml ? 'html' : 'text' };
  renderBody(post, links);
  setStatus(undefined, false);
}

export function showError(message: string, subject?: string): void {
  if (typeof subject === 'string' && subject !== '') {
    byId('subject').textContent = subject;
    document.title = subject;
  }
  // No parsed headers to show: no empty From/To/Date rows either.
  byId('fields').hidden = true;
  byId('body').replaceChildren();
  byId('remote-banner').hidden = true;
  byId('file-links-off').hidden = true;
  byId('attachments').hidden = true;
  byId('view-toggle').hidden = true;
  setStatus(text(message) || t('notShown'), true);
}
