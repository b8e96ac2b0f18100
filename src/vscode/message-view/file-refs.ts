// `path/to/file.ts:123` in a plain-text body becomes a link when that file
// exists inside the open workspace. The host finds and checks the
// references; the webview may only ask to open one of them (T37).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findFileRefs } from '../../shared/text-links';

/** How many candidate references one message may make us look up. */
const MAX_CANDIDATES = 100;

/** Candidate references in text: relative paths without `.`/`..` segments, with a line number. */
export function findFileRefCandidates(text: string): string[] {
  const found = new Set<string>();
  for (const m of findFileRefs(text)) {
    if (m.file.split('/').some((seg) => seg === '..' || seg === '.')) continue;
    found.add(m.ref);
    if (found.size >= MAX_CANDIDATES) break;
  }
  return [...found];
}

function splitRef(ref: string): { file: string; line: number } | undefined {
  const m = /^(.+):(\d{1,7})$/.exec(ref);
  if (!m) return undefined;
  return { file: m[1]!, line: Math.max(1, Number(m[2])) };
}

/** The file a reference names, when it is a regular file inside a workspace folder (symlinks resolved). */
async function resolveRef(ref: string): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const parts = splitRef(ref);
  if (!parts || parts.file.startsWith('/') || parts.file.split('/').some((s) => s === '..' || s === '.' || s === '')) return undefined;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, parts.file);
    if (folder.uri.scheme === 'file') {
      try {
        const root = await fs.realpath(folder.uri.fsPath);
        const real = await fs.realpath(uri.fsPath);
        const rel = path.relative(root, real);
        if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
        if (!(await fs.stat(real)).isFile()) continue;
        return { uri: vscode.Uri.file(real), line: parts.line };
      } catch {
        continue;
      }
    }
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type === vscode.FileType.File) return { uri, line: parts.line };
    } catch {
      // not there
    }
  }
  return undefined;
}

/** The references among the candidates in `texts` that exist in the workspace. */
export async function existingFileRefs(texts: readonly string[]): Promise<string[]> {
  if (!vscode.workspace.workspaceFolders?.length) return [];
  const candidates = findFileRefCandidates(texts.join('\n'));
  const checked = await Promise.all(candidates.map(async (ref) => ((await resolveRef(ref)) ? ref : undefined)));
  return checked.filter((r): r is string => r !== undefined);
}

/** Opens a reference (already known to be from the message on screen) at its line. */
export async function openFileRef(ref: string): Promise<void> {
  const target = await resolveRef(ref);
  if (!target) {
    void vscode.window.showWarningMessage(vscode.l10n.t('POP3 Mail: that file is not in the workspace.'));
    return;
  }
  const line = target.line - 1;
  await vscode.window.showTextDocument(target.uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
}
