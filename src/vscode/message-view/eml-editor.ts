// .eml files open in the message view: a read-only custom editor
// (contributes.customEditors, priority "default"; "Reopen Editor With... >
// Text Editor" shows the source). The file is read through VS Code's file
// system API, so remote workspaces work too.
import * as vscode from 'vscode';
import type { MessageViewManager } from './message-view-manager';
import { MessageWebview, type ViewerServices } from './message-webview';
import { webviewOptions } from './webview-html';

export const EML_VIEW_TYPE = 'pop3Mail.emlViewer';

/** Largest .eml file read (the parser refuses bigger messages anyway). */
const MAX_EML_BYTES = 64 * 1024 * 1024;

class EmlDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // nothing held
  }
}

export class EmlEditorProvider implements vscode.CustomReadonlyEditorProvider<EmlDocument> {
  constructor(
    private readonly services: ViewerServices,
    private readonly panels: MessageViewManager,
  ) {}

  static register(services: ViewerServices, panels: MessageViewManager): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(EML_VIEW_TYPE, new EmlEditorProvider(services, panels), {
      // Kept when hidden, like the message panels (message-view-manager.ts createViewer).
      webviewOptions: { enableFindWidget: true, retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    });
  }

  openCustomDocument(uri: vscode.Uri): EmlDocument {
    return new EmlDocument(uri);
  }

  async resolveCustomEditor(document: EmlDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = webviewOptions(this.services.extensionUri);
    const viewer = new MessageWebview(panel, this.services);
    const tracked = this.panels.track(viewer);
    panel.onDidDispose(() => {
      tracked.dispose();
      viewer.dispose();
    });
    const uri = document.uri;
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    await viewer.show({
      kind: 'file',
      key: uri.toString(),
      title: name,
      security: vscode.l10n.t('Opened from a local .eml file (not fetched by POP3 Mail)'),
      fileUri: uri,
      readRaw: async () => {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_EML_BYTES) throw new Error(vscode.l10n.t('the file is larger than {0} MB', MAX_EML_BYTES / 1024 / 1024));
        return Buffer.from(await vscode.workspace.fs.readFile(uri));
      },
    });
    // The custom editor tab keeps the file name, not the subject.
    panel.title = name;
  }
}
