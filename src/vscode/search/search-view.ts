// The Search view: a search box in the POP3 Mail side bar, above the inbox.
// A tree view takes no text input, so this is a small webview view. What is
// typed goes to the same search as Search Mail (searchAccounts); the results
// list under the box with their snippet, the matched words marked; a click
// or Enter opens the message. The HTML carries no message data: results
// arrive by postMessage and the script sets them as text, never as HTML.
import * as vscode from 'vscode';
import type { SearchService } from '../../search/search-service';
import type { Accounts } from '../accounts/accounts';
import { COMMANDS } from '../common/commands';
import type { Stores } from '../common/stores';
import { displayLine, sameLengthPlain } from '../common/surface-text';
import { shortDate } from '../common/text';
import { attr, contentSecurityPolicy, makeNonce } from '../message-view/webview-html';
import { searchAccounts } from './search-mail';

export const SEARCH_VIEW_ID = 'pop3Mail.searchView';

const LIMIT = 50;
/** Characters of a query read at most (the box has no limit of its own). */
const MAX_QUERY = 1000;

/** One result as the view shows it. */
export interface SearchViewItem {
  readonly key: string;
  readonly id: string;
  readonly subject: string;
  readonly meta: string;
  readonly snippet: string;
  readonly highlights: ReadonlyArray<readonly [number, number]>;
  readonly unread: boolean;
}

export class SearchViewProvider implements vscode.WebviewViewProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly search: SearchService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    const webview = view.webview;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    webview.options = { enableScripts: true, localResourceRoots: [media] };
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'search-view.js'));
    const placeholder = vscode.l10n.t('Search mail: words, prefix*, "a phrase", from:, is:unread…');
    webview.html = `<!DOCTYPE html>
<html lang="${vscode.env.language.replace(/[^A-Za-z-]/g, '')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce)}">
<style nonce="${nonce}">
  body { padding: 4px 8px; }
  input { width: 100%; box-sizing: border-box; padding: 4px 6px; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); font: inherit; }
  input:focus { outline: 1px solid var(--vscode-focusBorder); }
  #status { margin: 4px 0; opacity: 0.8; }
  ul { list-style: none; margin: 0; padding: 0; }
  li { padding: 3px 2px; cursor: pointer; border-radius: 2px; }
  li:hover, li:focus { background: var(--vscode-list-hoverBackground); outline: none; }
  li:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
  .subject { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .unread .subject { font-weight: bold; }
  .meta, .snippet { opacity: 0.8; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 0.92em; }
  mark { background: var(--vscode-editor-findMatchHighlightBackground); color: inherit; }
</style>
</head>
<body>
<input id="query" type="search" aria-label="${attr(placeholder)}" placeholder="${attr(placeholder)}" autocomplete="off" spellcheck="false">
<div id="status" role="status" aria-live="polite"></div>
<ul id="results" role="listbox" aria-label="${attr(vscode.l10n.t('Search results'))}"></ul>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
    let latest = 0;
    webview.onDidReceiveMessage(async (m: unknown) => {
      if (typeof m !== 'object' || m === null) return;
      const msg = m as Record<string, unknown>;
      if (msg['type'] === 'query' && typeof msg['text'] === 'string' && typeof msg['seq'] === 'number') {
        const seq = msg['seq'];
        latest = seq;
        const text = msg['text'].slice(0, MAX_QUERY);
        const answer = text.trim() === '' ? { items: [], status: '' } : await this.answer(text);
        if (seq === latest) void webview.postMessage({ type: 'results', seq, ...answer });
      } else if (msg['type'] === 'open' && typeof msg['key'] === 'string' && typeof msg['id'] === 'string') {
        void vscode.commands.executeCommand(COMMANDS.openMessageKeep, msg['key'], msg['id']);
      }
    });
  }

  private async answer(text: string): Promise<{ items: SearchViewItem[]; status: string }> {
    if (this.accounts.list().length === 0) return { items: [], status: vscode.l10n.t('POP3 Mail: no account yet.') };
    const { hits, total, problems } = await searchAccounts(this.accounts, this.stores, this.search, this.log, text, LIMIT);
    const locale = vscode.env.language;
    const several = this.accounts.list().length > 1;
    const items = hits.flatMap(({ key, name, store, hit }): SearchViewItem[] => {
      const m = store.get(hit.id);
      if (!m || m.trashed) return [];
      const meta = [displayLine(m.from.name, 60) || displayLine(m.from.address, 80), shortDate(m.date, locale), m.hasAttachments ? '\u{1F4CE}' : '', several ? displayLine(name, 60) : '']
        .filter(Boolean)
        .join(' \u00b7 ');
      return [{ key, id: m.id, subject: displayLine(m.subject, 200) || vscode.l10n.t('(no subject)'), meta, snippet: sameLengthPlain(hit.snippet.text), highlights: hit.snippet.highlights, unread: !m.seen }];
    });
    const count = total === 1 ? vscode.l10n.t('{0} match', total) : vscode.l10n.t('{0} matches', total);
    const shown = total > items.length ? vscode.l10n.t('{0}, first {1} shown', count, items.length) : count;
    return { items, status: problems.length > 0 ? vscode.l10n.t('{0} · not understood: {1}', shown, displayLine(problems.join(', '), 100)) : shown };
  }
}
