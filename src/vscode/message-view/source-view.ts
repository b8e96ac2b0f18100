// Show Source: the raw message as a read-only `pop3-mail:` document, with the
// MIME structure as its outline (DocumentSymbolProvider; also for .eml files
// opened as text). URIs name an account key and an opaque message id only.
import * as vscode from 'vscode';
import { safeFileName } from '../../mail/filename';
import type { ParseService } from '../../mail/parse-service';
import type { OutlineNode } from '../../mail/view';
import type { MessageViewManager } from './message-view-manager';

export const SOURCE_SCHEME = 'pop3-mail';

/** Largest source shown as a document. */
const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** `pop3-mail:/<account key>/<message id>/<subject>.eml`: the last segment is only the tab's title. */
export function sourceUri(accountKey: string, messageId: string, title: string): vscode.Uri {
  const name = safeFileName(title, 'message').slice(0, 60).replace(/[%/]/g, '_');
  return vscode.Uri.from({ scheme: SOURCE_SCHEME, path: `/${encodeURIComponent(accountKey)}/${encodeURIComponent(messageId)}/${name}.eml` });
}

function parseSourceUri(uri: vscode.Uri): { accountKey: string; messageId: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/[^/]*\.eml$/.exec(uri.path);
  if (!m) return undefined;
  try {
    return { accountKey: decodeURIComponent(m[1]!), messageId: decodeURIComponent(m[2]!) };
  } catch {
    return undefined;
  }
}

export class SourceView implements vscode.TextDocumentContentProvider, vscode.DocumentSymbolProvider {
  constructor(
    private readonly panels: MessageViewManager,
    private readonly parser: ParseService,
  ) {}

  static register(panels: MessageViewManager, parser: ParseService): vscode.Disposable[] {
    const view = new SourceView(panels, parser);
    return [
      vscode.workspace.registerTextDocumentContentProvider(SOURCE_SCHEME, view),
      vscode.languages.registerDocumentSymbolProvider([{ scheme: SOURCE_SCHEME }, { pattern: '**/*.eml' }], view, { label: vscode.l10n.t('MIME structure') }),
    ];
  }

  private async raw(uri: vscode.Uri): Promise<Buffer | undefined> {
    const ref = parseSourceUri(uri);
    if (!ref) return undefined;
    const source = await this.panels.sourceFor(ref.accountKey, ref.messageId);
    return source?.readRaw();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const raw = await this.raw(uri);
    if (!raw) return vscode.l10n.t('(This message is no longer in the local store.)');
    if (raw.length > MAX_SOURCE_BYTES) return vscode.l10n.t('(The message is {0} MB: too large to show here. Use Save as .eml.)', Math.round(raw.length / 1024 / 1024));
    // Invalid UTF-8 becomes U+FFFD; line breaks are never swallowed, so outline lines match.
    return new TextDecoder('utf-8').decode(raw);
  }

  async provideDocumentSymbols(document: vscode.TextDocument): Promise<vscode.DocumentSymbol[]> {
    const raw = document.uri.scheme === SOURCE_SCHEME ? await this.raw(document.uri) : Buffer.from(document.getText(), 'utf8');
    if (!raw || raw.length > MAX_SOURCE_BYTES) return [];
    let outline: OutlineNode[];
    try {
      outline = await this.parser.outline(raw);
    } catch {
      return []; // a bomb has no outline; the text is still there
    }
    const last = Math.max(0, document.lineCount - 1);
    const toSymbol = (node: OutlineNode): vscode.DocumentSymbol => {
      const start = Math.min(node.startLine, last);
      const end = Math.min(Math.max(node.endLine, start), last);
      const range = new vscode.Range(start, 0, end, document.lineAt(end).text.length);
      const symbol = new vscode.DocumentSymbol(node.label, node.detail, node.children.length > 0 ? vscode.SymbolKind.Module : vscode.SymbolKind.File, range, new vscode.Range(start, 0, start, 0));
      symbol.children = node.children.map(toSymbol);
      return symbol;
    };
    return outline.map(toSymbol);
  }
}
