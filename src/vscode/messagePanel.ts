// The message view: one WebviewPanel, reused for every click. The host reads
// and parses the message, then posts it once the webview is `ready`.
import * as vscode from 'vscode';
import type { MessageView, ToWebview } from '../shared/messages';
import { parseFromWebview } from '../shared/validate';
import type { Accounts } from './accounts';
import { describeError, logError } from './errors';
import type { Stores } from './stores';
import { displayLine, stripBidi, truncate } from './text';
import { messageViewHtml, resourceRoots } from './webviewHtml';

export const MESSAGE_VIEW_TYPE = 'pop3Mail.message';

/** The body the webview gets at most; the rest of a huge text part is cut. */
const MAX_BODY_CHARS = 2_000_000;

/** Header fields without bidi controls; the body keeps them (real RTL text needs them) and is isolated by CSS. */
function cleanView(view: MessageView): MessageView {
  return {
    id: view.id,
    subject: displayLine(view.subject, 1000),
    from: { name: displayLine(view.from.name, 300), address: displayLine(view.from.address, 300) },
    to: displayLine(view.to, 4000),
    cc: displayLine(view.cc, 4000),
    date: view.date,
    text: view.text.length > MAX_BODY_CHARS ? `${view.text.slice(0, MAX_BODY_CHARS)}\n\n[\u2026 message truncated \u2026]` : view.text,
  };
}

function panelTitle(subject: string): string {
  return truncate(displayLine(subject, 200), 60) || '(no subject)';
}

export class MessagePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  /** What the webview should show; sent on every `ready` (the webview reloads when it becomes visible again). */
  private current: ToWebview | undefined;
  private ready = false;
  private generation = 0;
  private confirming = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    this.panel?.dispose();
  }

  /** The `pop3Mail.openMessage` command: arguments are an account key and an opaque message id. */
  async open(accountKey: unknown, messageId: unknown): Promise<void> {
    if (typeof accountKey !== 'string' || typeof messageId !== 'string') {
      this.log.warn('openMessage: ignored a call without an account key and message id');
      return;
    }
    const account = this.accounts.byKey(accountKey);
    if (!account) {
      void vscode.window.showErrorMessage('POP3 Mail: that account is no longer configured.');
      return;
    }
    const generation = ++this.generation;
    try {
      const store = await this.stores.get(account);
      const summary = store.get(messageId);
      if (!summary) {
        void vscode.window.showErrorMessage('POP3 Mail: that message is no longer in the local store.');
        return;
      }
      this.show(panelTitle(summary.subject));
      const raw = await store.readRaw(summary.id);
      // mailparser loads here, on first open, not at activation.
      const { parseMessageView } = await import('../mail/view.js');
      const view = await parseMessageView(summary.id, raw);
      if (generation !== this.generation) return;
      const clean = cleanView(view);
      if (this.panel) this.panel.title = panelTitle(clean.subject);
      this.send({ type: 'show', message: clean });
    } catch (error) {
      this.log.error(`opening message ${displayLine(messageId, 100)}: ${logError(error)}`);
      if (generation !== this.generation) return;
      if (!this.panel) {
        void vscode.window.showErrorMessage(describeError('POP3 Mail: could not open the message', error));
        return;
      }
      this.send({ type: 'error', text: describeError('Could not open the message', error) });
    }
  }

  /** Creates or reveals the panel and renders a fresh template (fresh nonce) that waits for data. */
  private show(title: string): void {
    if (!this.panel) {
      this.panel = this.createPanel(title);
    } else {
      this.panel.title = title;
      this.panel.reveal(undefined, false);
    }
    this.current = undefined;
    this.ready = false;
    this.panel.webview.html = messageViewHtml(this.panel.webview, this.extensionUri);
  }

  private createPanel(title: string): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(
      MESSAGE_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        enableForms: false,
        localResourceRoots: resourceRoots(this.extensionUri),
        retainContextWhenHidden: false,
        enableFindWidget: true,
      },
    );
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.extensionUri, 'media', 'message-light.svg'),
      dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'message-dark.svg'),
    };
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it posts `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        for (const d of this.panelSubscriptions) d.dispose();
        this.panelSubscriptions = [];
        this.panel = undefined;
        this.current = undefined;
        this.ready = false;
        this.generation++;
      }),
    ];
    return panel;
  }

  private send(message: ToWebview): void {
    this.current = message;
    if (this.ready && this.panel) void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message = parseFromWebview(raw);
    if (!message) {
      this.log.warn('message view: dropped an invalid message from the webview');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.current && this.panel) void this.panel.webview.postMessage(this.current);
        return;
      case 'openLink':
        void this.openLink(message.href);
        return;
      default: {
        const unhandled: never = message;
        void unhandled;
      }
    }
  }

  /** Shows the real URL and opens it only when the user says so (SECURITY.md T36). One prompt at a time. */
  private async openLink(href: string): Promise<void> {
    if (this.confirming) return;
    this.confirming = true;
    try {
      const choice = await vscode.window.showWarningMessage(
        'Open this link from an email?',
        { modal: true, detail: stripBidi(href) },
        'Open Link',
      );
      if (choice === 'Open Link') await vscode.env.openExternal(vscode.Uri.parse(href, true));
    } finally {
      this.confirming = false;
    }
  }
}
