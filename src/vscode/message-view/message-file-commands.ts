// Commands on one message, from the tree's context menu, the message view's
// toolbar or the palette: Show Source, Save Attachments, Save as .eml, Copy
// as .eml. Tree arguments are (accountKey, messageId), a message node, or a
// node plus the selection (the node counts); with none, the message view the
// user looked at last.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import { safeFileName } from '../../mail/filename';
import type { MessageCommand } from '../../shared/webview-protocol';
import type { AttachmentFiles } from './attachments';
import { describeError, logError } from '../common/errors';
import type { MessageViewManager } from './message-view-manager';
import type { MessageSource, MessageWebview } from './message-webview';
import { sourceUri } from './source-view';
import { messageRef } from '../inbox/message-refs';

export class MessageFileCommands {
  constructor(
    private readonly panels: MessageViewManager,
    private readonly attachments: AttachmentFiles,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    const run = (command: MessageCommand | 'saveAttachments') => async (...args: unknown[]) => {
      try {
        await this.run(command, args);
      } catch (error) {
        this.log.error(`${command}: ${logError(error)}`);
        void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: the command failed'), error));
      }
    };
    return [
      vscode.commands.registerCommand(COMMANDS.showSource, run('showSource')),
      vscode.commands.registerCommand(COMMANDS.saveAttachments, run('saveAttachments')),
      vscode.commands.registerCommand(COMMANDS.saveAsEml, run('saveAsEml')),
      vscode.commands.registerCommand(COMMANDS.copyAsEml, run('copyAsEml')),
    ];
  }

  private async run(command: MessageCommand | 'saveAttachments', args: unknown[]): Promise<void> {
    const ref = messageRef(...args);
    let source: MessageSource | undefined;
    let viewer: MessageWebview | undefined;
    if (ref) source = await this.panels.sourceFor(ref.accountKey, ref.messageId);
    else {
      viewer = this.panels.activeViewer;
      source = viewer?.shownSource;
      if (!source) {
        void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: select a message in the Inbox or open one first.'));
        return;
      }
    }
    if (!source) return;
    if (command === 'saveAttachments') await this.saveAttachments(source, viewer);
    else await this.forSource(command, source);
  }

  /** Show Source / Save as .eml / Copy as .eml for a source (also called by the view's toolbar). */
  async forSource(command: MessageCommand, source: MessageSource): Promise<void> {
    switch (command) {
      case 'showSource':
        if (source.kind === 'file' && source.fileUri) {
          await vscode.commands.executeCommand('vscode.openWith', source.fileUri, 'default');
          return;
        }
        if (source.accountKey && source.messageId) {
          const doc = await vscode.workspace.openTextDocument(sourceUri(source.accountKey, source.messageId, source.title));
          await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
        }
        return;
      case 'saveAsEml': {
        const name = `${safeFileName(source.title, 'message').slice(0, 100)}.eml`;
        const target = await vscode.window.showSaveDialog({
          title: vscode.l10n.t('Save message as .eml'),
          saveLabel: vscode.l10n.t('Save'),
          filters: { [vscode.l10n.t('Email message')]: ['eml'] },
          defaultUri: vscode.Uri.joinPath(this.attachments.saveFolder(), name),
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, await source.readRaw());
        await this.attachments.rememberFolder(vscode.Uri.joinPath(target, '..'));
        void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: message saved.'));
        return;
      }
      case 'copyAsEml':
        await vscode.env.clipboard.writeText(new TextDecoder('utf-8').decode(await source.readRaw()));
        void vscode.window.setStatusBarMessage(vscode.l10n.t('POP3 Mail: message source copied'), 3000);
        return;
      default: {
        const unhandled: never = command;
        void unhandled;
      }
    }
  }

  private async saveAttachments(source: MessageSource, viewer: MessageWebview | undefined): Promise<void> {
    let items = viewer?.shownSource?.key === source.key ? viewer.attachmentsForSave() : [];
    if (items.length === 0) {
      // Not on screen: parse it (in the worker) just for its attachment list.
      const raw = await source.readRaw();
      const parsed = await this.panels.parser.view(source.messageId ?? 'file', raw);
      items = parsed.attachmentParts.map((p) => ({
        name: parsed.view.attachments.find((a) => a.id === p.id)?.name ?? 'attachment',
        bytes: () => this.panels.parser.part(raw, p.path),
      }));
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: this message has no attachments.'));
      return;
    }
    const saved = await this.attachments.saveAll(items);
    if (saved > 0) void vscode.window.showInformationMessage(saved === 1 ? vscode.l10n.t('POP3 Mail: saved {0} attachment.', saved) : vscode.l10n.t('POP3 Mail: saved {0} attachments.', saved));
  }
}
