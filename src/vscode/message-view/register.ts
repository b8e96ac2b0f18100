// Wiring of the message view: the parse worker, the message panels,
// the .eml editor, Show Source and the message commands. extension.ts calls
// registerMessageView once; everything is disposed with the extension.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ParseService } from '../../mail/parse-service';
import { AttachmentFiles } from './attachments';
import type { Accounts } from '../accounts/accounts';
import { EmlEditorProvider } from './eml-editor';
import { MessageFileCommands } from './message-file-commands';
import { MessageViewManager } from './message-view-manager';
import type { ViewerServices } from './message-webview';
import { RemoteContentPolicy } from './remote-content';
import { SourceView } from './source-view';
import type { Stores } from '../common/stores';

export function registerMessageView(
  context: vscode.ExtensionContext,
  accounts: Accounts,
  stores: Stores,
  log: vscode.LogOutputChannel,
): MessageViewManager {
  const parser = new ParseService({ workerFile: path.join(context.extensionUri.fsPath, 'dist', 'parse-worker.js') });
  const attachments = new AttachmentFiles(context.globalStorageUri, context.globalState);
  void attachments.cleanTemp();
  const services: ViewerServices = {
    extensionUri: context.extensionUri,
    parser,
    remote: new RemoteContentPolicy(context.globalState),
    attachments,
    log,
    // `actions` is created below; the view calls this only after activation.
    runCommand: (command, source) => actions.forSource(command, source),
  };
  const panels = new MessageViewManager(accounts, stores, services);
  const actions = new MessageFileCommands(panels, attachments, log);
  context.subscriptions.push(
    { dispose: () => parser.dispose() },
    panels,
    // After the panels: closing them releases their copies, then the window's folder goes.
    attachments,
    EmlEditorProvider.register(services, panels),
    ...SourceView.register(panels, parser),
    ...actions.register(),
  );
  return panels;
}
