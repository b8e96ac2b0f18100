// `path/to/file.ts:123` in a plain-text body becomes a link when that file
// exists inside the open workspace. The host finds and checks the
// references; the webview may only ask to open one of them (T37).
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

/**
 * The file a reference names, when it is a regular file inside a workspace
 * folder. Every step goes through workspace.fs, so a remote or virtual
 * workspace is read where it lives (the extension may run on the user's side
 * of a remote window). No segment may be a symbolic link: a link could lead
 * out of the folder, and this check needs no real path from the file system.
 */
async function resolveRef(ref: string): Promise<{ uri: vscode.Uri; line: number } | undefined> {
  const parts = splitRef(ref);
  if (!parts || parts.file.startsWith('/') || parts.file.split('/').some((s) => s === '..' || s === '.' || s === '')) return undefined;
  const segments = parts.file.split('/');
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    let uri = folder.uri;
    let type: vscode.FileType | undefined;
    for (const segment of segments) {
      uri = vscode.Uri.joinPath(uri, segment);
      type = await statType(uri);
      if (type === undefined || (type & vscode.FileType.SymbolicLink) !== 0) break;
    }
    if (type === vscode.FileType.File) return { uri, line: parts.line };
  }
  return undefined;
}

async function statType(uri: vscode.Uri): Promise<vscode.FileType | undefined> {
  try {
    return (await vscode.workspace.fs.stat(uri)).type;
  } catch {
    return undefined;
  }
}

/**
 * What the view offers for the references in `texts`: links to those that
 * exist in the workspace; none in Restricted Mode (`off` says some would be
 * there), where the extension does not look into a folder not yet trusted.
 */
export async function fileRefsFor(texts: readonly string[]): Promise<{ refs: string[]; off: boolean }> {
  if (!vscode.workspace.workspaceFolders?.length) return { refs: [], off: false };
  const candidates = findFileRefCandidates(texts.join('\n'));
  if (!vscode.workspace.isTrusted) return { refs: [], off: candidates.length > 0 };
  const checked = await Promise.all(candidates.map(async (ref) => ((await resolveRef(ref)) ? ref : undefined)));
  return { refs: checked.filter((r): r is string => r !== undefined), off: false };
}

/** Opens a reference (already known to be from the message on screen) at its line. */
export async function openFileRef(ref: string): Promise<void> {
  const target = vscode.workspace.isTrusted ? await resolveRef(ref) : undefined;
  if (!target) {
    void vscode.window.showWarningMessage(vscode.l10n.t('POP3 Mail: that file is not in the workspace.'));
    return;
  }
  const line = target.line - 1;
  await vscode.window.showTextDocument(target.uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
}
