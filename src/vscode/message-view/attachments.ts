// Saving and opening attachments (docs/security.md T27). Names are already safe
// (safeFileName); the path written is checked to be directly inside the
// folder the user chose. Save starts in the folder last saved to, else
// Downloads, never the workspace. Open shows text as read-only text and
// images in the image preview; anything else opens only after a dialog that
// names what will open it, and programs not at all (attachment-rules.ts).
// Open's copies live in this window's own temporary folder, and go when
// their message view closes and when the extension stops.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathInside, safeFileName } from '../../mail/filename';
import { forModal } from '../common/surface-text';
import { ReadOnlyCopies } from './read-only-copies';
import { classifyAttachment, contributedEditors, defaultSaveFolder, editorFor, removeStaleTempFolders, windowFolderName } from './attachment-rules';

const LAST_SAVE_FOLDER = 'pop3Mail.lastSaveFolder';

export class AttachmentFiles implements vscode.Disposable {
  /** This window's folder under the temporary root, made on the first Open. */
  private readonly windowDir: string;
  /** The copies each message view opened, removed when it closes. */
  private readonly copies = new Map<object, Set<string>>();
  private readonly readOnly: vscode.Disposable;

  constructor(
    private readonly globalStorage: vscode.Uri,
    private readonly state: vscode.Memento,
  ) {
    this.windowDir = path.join(this.tmpRoot, windowFolderName(process.pid, randomBytes(8).toString('hex')));
    this.readOnly = ReadOnlyCopies.register(this.windowDir);
  }

  private get tmpRoot(): string {
    return path.join(this.globalStorage.fsPath, 'tmp');
  }

  /** On deactivate: this window's copies go; other windows' stay. */
  dispose(): void {
    this.readOnly.dispose();
    rmSync(this.windowDir, { recursive: true, force: true });
  }

  /** At activation: removes the folders of windows whose process has ended, never those of a running window. */
  async cleanTemp(): Promise<void> {
    await removeStaleTempFolders(this.tmpRoot, path.basename(this.windowDir));
  }

  /** Removes the copies opened from one message view (it is closing). */
  release(owner: object): void {
    const dirs = this.copies.get(owner);
    this.copies.delete(owner);
    for (const dir of dirs ?? []) void fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Where a save dialog starts: the folder last saved to, else Downloads, else home. */
  saveFolder(): vscode.Uri {
    const isFolder = (p: string): boolean => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    };
    return vscode.Uri.file(defaultSaveFolder(this.state.get<string>(LAST_SAVE_FOLDER), os.homedir(), isFolder));
  }

  /** Remembers the folder of a file (or the folder) the user saved to, for the next save dialog. */
  async rememberFolder(folder: vscode.Uri): Promise<void> {
    if (folder.scheme === 'file') await this.state.update(LAST_SAVE_FOLDER, folder.fsPath);
  }

  /** Asks where to save one attachment, then writes it. Returns the file written, or undefined. */
  async saveOne(name: string, bytes: () => Promise<Buffer>): Promise<vscode.Uri | undefined> {
    const safe = safeFileName(name);
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save attachment "{0}"', safe),
      saveLabel: vscode.l10n.t('Save Attachment'),
      defaultUri: vscode.Uri.joinPath(this.saveFolder(), safe),
    });
    if (!target) return undefined;
    const checked = checkedTarget(target);
    if (!checked) {
      void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that file name cannot be used for an attachment.'));
      return undefined;
    }
    await vscode.workspace.fs.writeFile(checked, await bytes());
    await this.rememberFolder(vscode.Uri.joinPath(checked, '..'));
    return checked;
  }

  /** Asks for a folder, then writes every attachment into it under a unique safe name. */
  async saveAll(items: readonly { name: string; bytes: () => Promise<Buffer> }[]): Promise<number> {
    const picked = await vscode.window.showOpenDialog({
      title: items.length === 1 ? vscode.l10n.t('Save {0} attachment to a folder', items.length) : vscode.l10n.t('Save {0} attachments to a folder', items.length),
      openLabel: vscode.l10n.t('Save Here'),
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: this.saveFolder(),
    });
    const folder = picked?.[0];
    if (!folder) return 0;
    const used = new Set<string>();
    let saved = 0;
    for (const item of items) {
      const name = await uniqueName(folder, safeFileName(item.name), used);
      const target = folder.scheme === 'file' ? pathInside(folder.fsPath, name) : name;
      if (target === undefined) continue;
      const uri = folder.scheme === 'file' ? vscode.Uri.file(target) : vscode.Uri.joinPath(folder, name);
      await vscode.workspace.fs.writeFile(uri, await item.bytes());
      saved++;
    }
    await this.rememberFolder(folder);
    return saved;
  }

  /**
   * Open: text in the text editor (read-only), images in the image
   * preview, an attached message in the message view; a program is not
   * opened; anything else after a dialog naming the editor or the system
   * application that opens it. `owner` is the message view: its copies go
   * when it closes.
   */
  async open(name: string, contentType: string, bytes: () => Promise<Buffer>, owner: object): Promise<void> {
    const safe = safeFileName(name);
    const kind = classifyAttachment(safe, contentType);
    if (kind === 'program') {
      const save = vscode.l10n.t('Save...');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('POP3 Mail does not open programs: {0}', forModal(safe, 120)),
        { modal: true, detail: vscode.l10n.t('A program from an email can do anything your account can. Save it only if you expected it, and check it before you run it.') },
        save,
      );
      if (choice === save) await this.saveOne(safe, bytes);
      return;
    }
    if (kind === 'text') {
      // showTextDocument: always the text editor, whatever else is registered for the name; read-only by its scheme.
      const file = await this.copy(safe, await bytes(), owner);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(ReadOnlyCopies.uriOf(this.windowDir, file.fsPath)), { preview: true });
      return;
    }
    if (kind === 'image' || kind === 'message') {
      const viewType = kind === 'image' ? 'imagePreview.previewEditor' : 'pop3Mail.emlViewer';
      await vscode.commands.executeCommand('vscode.openWith', await this.copy(safe, await bytes(), owner), viewType);
      return;
    }
    const editor = editorFor(safe, contributedEditors(vscode.extensions.all.map((e) => e.packageJSON as unknown)));
    const open = vscode.l10n.t('Open');
    const choice = await vscode.window.showWarningMessage(
      editor ? vscode.l10n.t('Open {0} with the {1} editor?', forModal(safe, 120), forModal(editor.label, 80)) : vscode.l10n.t('Open {0} with the system\'s default application?', forModal(safe, 120)),
      { modal: true, detail: vscode.l10n.t('It is not text or an image. What opens it may run code or load content from the internet. Save it instead if you are not sure.') },
      open,
    );
    if (choice !== open) return;
    const uri = await this.copy(safe, await bytes(), owner);
    if (editor) await vscode.commands.executeCommand('vscode.openWith', uri, editor.viewType);
    else await vscode.env.openExternal(uri);
  }

  /** A private copy (0600 in a fresh 0700 folder inside this window's folder). */
  private async copy(safe: string, bytes: Buffer, owner: object): Promise<vscode.Uri> {
    const dir = path.join(this.windowDir, randomBytes(12).toString('hex'));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    let dirs = this.copies.get(owner);
    if (!dirs) this.copies.set(owner, (dirs = new Set()));
    dirs.add(dir);
    const file = pathInside(dir, safe);
    if (!file) throw new Error('the attachment name cannot be used');
    await fs.writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
    return vscode.Uri.file(file);
  }
}

/** The chosen save target, with its base name made safe and kept in the chosen folder. */
function checkedTarget(target: vscode.Uri): vscode.Uri | undefined {
  if (target.scheme !== 'file') {
    const base = target.path.slice(target.path.lastIndexOf('/') + 1);
    return base !== '' && safeFileName(base) === base ? target : undefined;
  }
  const dir = path.dirname(target.fsPath);
  const inside = pathInside(dir, safeFileName(path.basename(target.fsPath)));
  return inside ? vscode.Uri.file(inside) : undefined;
}

async function uniqueName(folder: vscode.Uri, name: string, used: Set<string>): Promise<string> {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? name : `${stem} (${n})${ext}`;
    if (used.has(candidate.toLowerCase())) continue;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, candidate));
    } catch {
      used.add(candidate.toLowerCase());
      return candidate;
    }
  }
  throw new Error('too many files with the same name');
}
