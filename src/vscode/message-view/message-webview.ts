// One message view in one webview (the preview panel, a kept panel, or an
// .eml editor): parses the message in the worker, renders the template with
// a fresh nonce, sends the view after `ready`, and answers the webview
// through messageHandler (validated, opaque ids only).
import * as vscode from 'vscode';
import { MimeLimitError } from '../../mail/mime-tree';
import { ParseError, type ParseService } from '../../mail/parse-service';
import type { ParsedMessage } from '../../mail/view';
import type { MessageCommand, MessageView, ToWebview, ViewOptions } from '../../shared/webview-protocol';
import { checkLinkHref } from '../../shared/validate';
import type { AttachmentFiles } from './attachments';
import { userSetting } from '../common/config';
import { describeError, logError } from '../common/errors';
import { fileRefsFor, openFileRef } from './file-refs';
import { handleWebviewMessage, type ViewerState } from './webview-dispatch';
import { isRememberableAddress, type RemoteContentPolicy } from './remote-content';
import { displayLine, forLabel, forModal, forNotification } from '../common/surface-text';
import { messageViewHtml } from './webview-html';

/** Where a message comes from: the local store of an account, or an .eml file. */
export interface MessageSource {
  readonly kind: 'store' | 'file';
  /** Stable key, to tell whether a panel already shows this message. */
  readonly key: string;
  /** Changes when the stored message does (Download Full Message): a panel showing an older one shows it again. */
  readonly revision?: string;
  readonly title: string;
  /** Transport security of the account ('' when unknown). */
  readonly security: string;
  readonly accountKey?: string;
  readonly messageId?: string;
  readonly fileUri?: vscode.Uri;
  readRaw(): Promise<Buffer>;
}

export interface ViewerServices {
  readonly extensionUri: vscode.Uri;
  readonly parser: ParseService;
  readonly remote: RemoteContentPolicy;
  readonly attachments: AttachmentFiles;
  readonly log: vscode.LogOutputChannel;
  /** Runs Show Source / Save as .eml / Copy as .eml for a source. */
  runCommand(command: MessageCommand, source: MessageSource): Promise<void>;
}

/** The test-only switch (application scope: a workspace cannot turn the sanitizer off). */
export function sanitizerDisabled(): boolean {
  return userSetting('test.disableSanitizer') === true;
}

function panelTitle(subject: string): string {
  return forLabel(subject, 60) || vscode.l10n.t('(no subject)');
}

/** Header fields without bidi controls; the body keeps them (real RTL text needs them) and is isolated by CSS. */
function cleanView(view: MessageView): MessageView {
  return {
    ...view,
    subject: displayLine(view.subject, 1000),
    from: { name: displayLine(view.from.name, 300), address: displayLine(view.from.address, 300) },
    to: displayLine(view.to, 4000),
    cc: displayLine(view.cc, 4000),
  };
}

export class MessageWebview implements vscode.Disposable {
  private source: MessageSource | undefined;
  private parsed: ParsedMessage | undefined;
  private raw: Buffer | undefined;
  private options: ViewOptions | undefined;
  private current: ToWebview | undefined;
  private ready = false;
  private generation = 0;
  private confirming = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly services: ViewerServices,
  ) {
    // The webviews are kept while hidden (retainContextWhenHidden): a document
    // says `ready` once, and only a new template (render) makes it unready.
    this.subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.linkFiles()),
    ];
  }

  /** The folder became trusted: the references the view listed as off become links. */
  private async linkFiles(): Promise<void> {
    const generation = this.generation;
    const parsed = this.parsed;
    if (!parsed || !this.options?.fileRefsOff) return;
    const fileRefs = await fileRefsFor(parsed.view.body.map((p) => p.text ?? '').filter((t) => t !== ''));
    if (generation !== this.generation || !this.options) return;
    this.options = { ...this.options, fileRefs: fileRefs.refs, fileRefsOff: fileRefs.off };
    this.send({ type: 'show', message: parsed.view, options: this.options });
  }

  dispose(): void {
    this.generation++;
    for (const d of this.subscriptions) d.dispose();
    this.services.attachments.release(this);
  }

  get shownSource(): MessageSource | undefined {
    return this.source;
  }

  /** Parses and shows a message. Errors are shown in the view. */
  async show(source: MessageSource): Promise<void> {
    const generation = ++this.generation;
    this.source = source;
    this.parsed = undefined;
    this.raw = undefined;
    this.options = undefined;
    this.panel.title = panelTitle(source.title);
    this.render(false);
    try {
      const raw = await source.readRaw();
      const parsed = await this.services.parser.view(source.messageId ?? 'file', raw);
      if (generation !== this.generation) return;
      const view = cleanView(parsed.view);
      const texts = view.body.map((p) => p.text ?? '').filter((t) => t !== '');
      const fileRefs = await fileRefsFor(texts);
      if (generation !== this.generation) return;
      const trusted = this.services.remote.isTrusted(view.from.address);
      this.raw = raw;
      this.parsed = { view, attachmentParts: parsed.attachmentParts };
      this.options = {
        remote: trusted ? 'allowed' : 'blocked',
        sanitize: !sanitizerDisabled(),
        security: source.security,
        fileRefs: fileRefs.refs,
        fileRefsOff: fileRefs.off,
        canTrustSender: isRememberableAddress(view.from.address),
        source: source.kind,
      };
      this.panel.title = panelTitle(view.subject);
      if (trusted) this.render(true);
      this.send({ type: 'show', message: view, options: this.options });
    } catch (error) {
      if (generation !== this.generation) return;
      this.services.log.error(`opening message ${displayLine(source.key, 200)}: ${logError(error)}`);
      this.send({ type: 'error', text: errorText(error), subject: displayLine(source.title, 1000) });
    }
  }

  /** A fresh template (fresh nonce); with remoteImages the CSP allows https images. */
  private render(remoteImages: boolean): void {
    this.ready = false;
    this.panel.webview.html = messageViewHtml(this.panel.webview, this.services.extensionUri, remoteImages);
  }

  private send(message: ToWebview): void {
    this.current = message;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private state(): ViewerState {
    const parsed = this.parsed;
    return {
      attachments: new Map(parsed?.attachmentParts.map((p) => [p.id, p.path] as const) ?? []),
      fileRefs: new Set(this.options?.fileRefs ?? []),
      hasMessage: parsed !== undefined,
      hasSource: this.source !== undefined,
      canTrustSender: this.options?.canTrustSender ?? false,
    };
  }

  private onMessage(raw: unknown): void {
    handleWebviewMessage(raw, this.state(), {
      ready: () => {
        this.ready = true;
        if (this.current) void this.panel.webview.postMessage(this.current);
      },
      openLink: (href) => void this.openLink(href),
      loadRemote: () => this.loadRemote(),
      trustSender: () => void this.trustSender(),
      saveAttachment: (path) => void this.guard('saving the attachment', vscode.l10n.t('POP3 Mail: saving the attachment failed'), () => this.saveAttachment(path)),
      openAttachment: (path) => void this.guard('opening the attachment', vscode.l10n.t('POP3 Mail: opening the attachment failed'), () => this.openAttachment(path)),
      openFile: (ref) => void this.guard('opening the file', vscode.l10n.t('POP3 Mail: opening the file failed'), () => openFileRef(ref)),
      command: (command) => {
        const source = this.source;
        if (source) void this.guard('running the command', vscode.l10n.t('POP3 Mail: running the command failed'), () => this.services.runCommand(command, source));
      },
      dropped: (reason) => this.services.log.warn(`message view: dropped a message from the webview (${reason})`),
    });
  }

  private loadRemote(): void {
    if (!this.parsed || !this.options) return;
    this.options = { ...this.options, remote: 'allowed' };
    this.render(true);
    this.send({ type: 'show', message: this.parsed.view, options: this.options });
  }

  private async trustSender(): Promise<void> {
    const address = this.parsed?.view.from.address;
    if (!address) return;
    await this.services.remote.trust(address);
    this.loadRemote();
  }

  private attachmentInfo(path: string): { name: string; contentType: string } {
    const id = this.parsed?.attachmentParts.find((p) => p.path === path)?.id;
    const info = this.parsed?.view.attachments.find((a) => a.id === id);
    return { name: info?.name ?? 'attachment', contentType: info?.contentType ?? '' };
  }

  private attachmentName(path: string): string {
    return this.attachmentInfo(path).name;
  }

  private async attachmentBytes(path: string): Promise<Buffer> {
    if (!this.raw) throw new Error('no message is shown');
    return this.services.parser.part(this.raw, path);
  }

  private async saveAttachment(path: string): Promise<void> {
    const saved = await this.services.attachments.saveOne(this.attachmentName(path), () => this.attachmentBytes(path));
    if (saved) void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: saved {0}.', forNotification(saved.path.split('/').pop() ?? '', 120)));
  }

  private async openAttachment(path: string): Promise<void> {
    const { name, contentType } = this.attachmentInfo(path);
    await this.services.attachments.open(name, contentType, () => this.attachmentBytes(path), this);
  }

  /** Every attachment of the message on screen, for the Save Attachments command. */
  attachmentsForSave(): { name: string; bytes: () => Promise<Buffer> }[] {
    const parsed = this.parsed;
    if (!parsed) return [];
    return parsed.attachmentParts.map((p) => ({ name: this.attachmentName(p.path), bytes: () => this.attachmentBytes(p.path) }));
  }

  /** Runs a view's request; a failure goes to the log (`what`) and to the user (`failed`, translated). */
  private async guard(what: string, failed: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.services.log.error(`${what}: ${logError(error)}`);
      void vscode.window.showErrorMessage(describeError(failed, error));
    }
  }

  /** Shows the real URL and opens it only when the user says so (docs/security.md T36). One prompt at a time. */
  private async openLink(untrusted: string): Promise<void> {
    // Checked again where it is opened, so no other caller can skip the mailto field filter.
    const href = checkLinkHref(untrusted);
    if (href === undefined) {
      this.services.log.warn('message view: a link that is not http, https or mailto was dropped');
      return;
    }
    if (this.confirming) return;
    this.confirming = true;
    try {
      const open = vscode.l10n.t('Open Link');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Open this link from an email?'), { modal: true, detail: forModal(href, 4096) }, open);
      if (choice === open) await vscode.env.openExternal(vscode.Uri.parse(href, true));
    } finally {
      this.confirming = false;
    }
  }
}

/** What the view says when a message cannot be shown. */
function errorText(error: unknown): string {
  if (MimeLimitError.is(error) || (error instanceof ParseError && error.code === 'limit')) {
    return vscode.l10n.t('This message is not shown: {0} Use Show Source or Save as .eml to look at it.', (error as Error).message);
  }
  if (error instanceof ParseError) return vscode.l10n.t('This message could not be shown: {0}', error.message);
  return describeError(vscode.l10n.t('Could not open the message'), error);
}
