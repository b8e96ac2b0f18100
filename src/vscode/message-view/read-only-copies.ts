// The attachment copies Open shows as text, served read-only under their
// own scheme: the text editor then cannot change them, whatever the file's
// permissions or the editor's settings say (a session read-only toggle
// depends on which editor is active when it runs). Only the copies of this
// window are reachable: `/<copy id>/<name>` inside its temporary folder.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathInside } from '../../mail/filename';

export const COPY_SCHEME = 'pop3-mail-attachment';

export class ReadOnlyCopies implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  constructor(private readonly windowDir: string) {}

  static register(windowDir: string): vscode.Disposable {
    return vscode.workspace.registerFileSystemProvider(COPY_SCHEME, new ReadOnlyCopies(windowDir), { isCaseSensitive: true, isReadonly: true });
  }

  /** The URI of a copy written to `<windowDir>/<id>/<name>`. */
  static uriOf(windowDir: string, file: string): vscode.Uri {
    return vscode.Uri.from({ scheme: COPY_SCHEME, path: `/${path.relative(windowDir, file).split(path.sep).join('/')}` });
  }

  /** The file behind a URI, or undefined when it does not name a copy of this window. */
  private file(uri: vscode.Uri): string | undefined {
    const parts = uri.path.split('/');
    if (parts.length !== 3 || parts[0] !== '' || !/^[0-9a-f]{24}$/.test(parts[1]!)) return undefined;
    const dir = pathInside(this.windowDir, parts[1]!);
    return dir === undefined ? undefined : pathInside(dir, parts[2]!);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const file = this.file(uri);
    const s = file === undefined ? undefined : await fs.stat(file).catch(() => undefined);
    if (!s?.isFile()) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const file = this.file(uri);
    if (file === undefined) throw vscode.FileSystemError.FileNotFound(uri);
    return fs.readFile(file).catch(() => {
      throw vscode.FileSystemError.FileNotFound(uri);
    });
  }

  watch(): vscode.Disposable {
    // A copy never changes.
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}
