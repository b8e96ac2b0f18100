// Saving and opening attachments (docs/security.md T27). Names are already safe
// (safeFileName); the path written is checked to be directly inside the
// folder the user chose. Open writes a private temp copy under the
// extension's global storage and hands it to VS Code: never executed.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathInside, safeFileName } from '../../mail/filename';

export class AttachmentFiles {
  constructor(private readonly globalStorage: vscode.Uri) {}

  private get tmpRoot(): string {
    return path.join(this.globalStorage.fsPath, 'tmp');
  }

  /** Removes temp copies left by earlier sessions. */
  async cleanTemp(): Promise<void> {
    await fs.rm(this.tmpRoot, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Asks where to save one attachment, then writes it. Returns the file written, or undefined. */
  async saveOne(name: string, bytes: () => Promise<Buffer>): Promise<vscode.Uri | undefined> {
    const safe = safeFileName(name);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save attachment "{0}"', safe),
      saveLabel: vscode.l10n.t('Save Attachment'),
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, safe) } : {}),
    });
    if (!target) return undefined;
    const checked = checkedTarget(target);
    if (!checked) {
      void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that file name cannot be used for an attachment.'));
      return undefined;
    }
    await vscode.workspace.fs.writeFile(checked, await bytes());
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
    return saved;
  }

  /** Writes a private temp copy (0600 in a fresh 0700 folder) and opens it in VS Code. */
  async open(name: string, bytes: Buffer): Promise<void> {
    const dir = path.join(this.tmpRoot, randomBytes(12).toString('hex'));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const file = pathInside(dir, safeFileName(name));
    if (!file) throw new Error('the attachment name cannot be used');
    await fs.writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
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
