// Message panels for messages of the local store: one preview panel reused
// for every click, plus panels the user chose to keep open. Each panel is a
// MessageWebview; this class finds the message and picks the panel.
import * as vscode from 'vscode';
import { transportOf } from '../../store/transport';
import type { AccountConfig } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { describeError } from '../common/errors';
import { MessageWebview, type MessageSource, type ViewerServices } from './message-webview';
import type { Stores } from '../common/stores';
import { forLabel } from '../common/surface-text';
import { webviewOptions } from './webview-html';

export const MESSAGE_VIEW_TYPE = 'pop3Mail.message';

/** How a message is opened (from the tree: inbox-commands.ts). */
export interface OpenMessageOptions {
  /**
   * true (default): the reused preview panel, which leaves the keyboard focus
   * where it was (the tree); false: a panel of its own that stays open and
   * takes the focus.
   */
  readonly preview?: boolean;
  readonly viewColumn?: vscode.ViewColumn;
}

/** The security line of the message view for an account (the CLI's English one is securityLineText). */
export function securityLine(account: AccountConfig): string {
  const t = transportOf(account);
  if (t.security === 'tls') {
    if (t.verification === 'pin') return vscode.l10n.t('Fetched over TLS (POP3S), certificate pinned');
    return t.verification === 'ca-file' ? vscode.l10n.t('Fetched over TLS (POP3S), certificate verified with your CA file') : vscode.l10n.t('Fetched over TLS (POP3S), certificate verified');
  }
  if (t.verification === 'pin') return vscode.l10n.t('Fetched over STARTTLS, certificate pinned');
  return t.verification === 'ca-file' ? vscode.l10n.t('Fetched over STARTTLS, certificate verified with your CA file') : vscode.l10n.t('Fetched over STARTTLS, certificate verified');
}

export class MessageViewManager implements vscode.Disposable {
  private preview: MessageWebview | undefined;
  private readonly kept = new Set<MessageWebview>();
  /** The viewer the user looked at last: the target of palette commands. */
  private active: MessageWebview | undefined;
  private readonly others = new Set<MessageWebview>();

  constructor(
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly services: ViewerServices,
  ) {}

  dispose(): void {
    this.preview?.panel.dispose();
    for (const v of this.kept) v.panel.dispose();
  }

  get parser(): ViewerServices['parser'] {
    return this.services.parser;
  }

  /** The viewer the user looked at last (a panel or an .eml editor), if it is still open. */
  get activeViewer(): MessageWebview | undefined {
    return this.active;
  }

  /** .eml editors register here, so palette commands can act on them too. */
  track(viewer: MessageWebview): vscode.Disposable {
    this.others.add(viewer);
    this.active = viewer;
    const sub = viewer.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.active = viewer;
    });
    return new vscode.Disposable(() => {
      sub.dispose();
      this.others.delete(viewer);
      if (this.active === viewer) this.active = undefined;
    });
  }

  /** A message of the local store as a source for a viewer or a command, or undefined (after telling the user). */
  async sourceFor(accountKey: unknown, messageId: unknown): Promise<MessageSource | undefined> {
    if (typeof accountKey !== 'string' || typeof messageId !== 'string') {
      this.services.log.warn('message view: ignored a call without an account key and message id');
      return undefined;
    }
    const account = this.accounts.byKey(accountKey);
    if (!account) {
      void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that account is no longer configured.'));
      return undefined;
    }
    const store = await this.stores.get(account);
    const summary = store.get(messageId);
    if (!summary) {
      void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that message is no longer in the local store.'));
      return undefined;
    }
    return {
      kind: 'store',
      key: `${accountKey}/${summary.id}`,
      revision: `${summary.size}/${summary.headersOnly === true ? 'headers' : 'full'}`,
      title: summary.subject,
      security: securityLine(account),
      accountKey,
      messageId: summary.id,
      readRaw: () => store.readRaw(summary.id),
    };
  }

  /** Opens a message of the store: an account key, an opaque message id, and how to open it. */
  async open(accountKey: unknown, messageId: unknown, options?: OpenMessageOptions): Promise<void> {
    let source: MessageSource | undefined;
    try {
      source = await this.sourceFor(accountKey, messageId);
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not open the message'), error));
      return;
    }
    if (!source) return;
    const keep = options?.preview === false;
    // A message already open in a kept panel is revealed, not opened twice.
    for (const v of this.kept) {
      if (v.shownSource?.key === source.key) {
        v.panel.reveal(options?.viewColumn, false);
        if (v.shownSource.revision !== source.revision) await v.show(source);
        return;
      }
    }
    const inPreview = this.preview?.shownSource;
    if (!keep && this.preview && inPreview?.key === source.key && inPreview.revision === source.revision) {
      // The preview shows it already: a second click (or the first half of a
      // double-click) only brings it to the front, without loading the view again.
      this.preview.panel.reveal(options?.viewColumn, true);
      return;
    }
    if (keep && this.preview?.shownSource?.key === source.key) {
      // "Keep open" on the message in the preview: the preview becomes a kept panel.
      const viewer = this.preview;
      this.preview = undefined;
      this.kept.add(viewer);
      viewer.panel.reveal(options?.viewColumn, false);
      if (viewer.shownSource?.revision !== source.revision) await viewer.show(source);
      return;
    }
    const viewer = keep ? this.createViewer(source.title, false, options?.viewColumn) : this.previewViewer(source.title, options?.viewColumn);
    await viewer.show(source);
  }

  private previewViewer(title: string, column: vscode.ViewColumn | undefined): MessageWebview {
    if (this.preview) {
      // A preview keeps the focus where it was (the tree), like VS Code's preview editors.
      this.preview.panel.reveal(column, true);
      return this.preview;
    }
    this.preview = this.createViewer(title, true, column);
    return this.preview;
  }

  /**
   * A panel whose webview is kept while hidden: switching between message
   * tabs keeps the scroll position and does not render the message again.
   * It also avoids a stall of VS Code for the web (code-server 4.100): a
   * hidden webview is torn down and created anew when shown, each one
   * registers a service worker, and after such churn a new message view
   * can stay blank for about 30 s (test/diagnostics/webview-churn.test.ts
   * counts it). The cost is the memory of the hidden views (one document
   * each).
   */
  private createViewer(title: string, preview: boolean, column: vscode.ViewColumn | undefined): MessageWebview {
    const panel = vscode.window.createWebviewPanel(
      MESSAGE_VIEW_TYPE,
      forLabel(title, 60) || vscode.l10n.t('(no subject)'),
      { viewColumn: column ?? vscode.ViewColumn.Active, preserveFocus: preview },
      { ...webviewOptions(this.services.extensionUri), retainContextWhenHidden: true, enableFindWidget: true },
    );
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.services.extensionUri, 'media', 'message-light.svg'),
      dark: vscode.Uri.joinPath(this.services.extensionUri, 'media', 'message-dark.svg'),
    };
    const viewer = new MessageWebview(panel, this.services);
    if (!preview) this.kept.add(viewer);
    this.active = viewer;
    const viewState = panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.active = viewer;
    });
    panel.onDidDispose(() => {
      viewState.dispose();
      viewer.dispose();
      this.kept.delete(viewer);
      if (this.preview === viewer) this.preview = undefined;
      if (this.active === viewer) this.active = undefined;
    });
    return viewer;
  }
}
