// The decisions behind Open and Save of attachments, without the editor, so
// they can be tested on their own: what opens an attachment, which
// temporary folders belong to which window, and where Save starts.
// attachments.ts does the file and editor work (docs/security.md T27).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * How Open shows an attachment:
 * - text: the text editor, read-only (even when an editor for notebooks or
 *   another custom editor is registered for the name: text cannot run)
 * - image: VS Code's image preview
 * - message: POP3 Mail's own message view (an attached .eml)
 * - program: never opened; the user can save it
 * - other: only after a dialog that names what will open it
 */
export type AttachmentKind = 'text' | 'image' | 'message' | 'program' | 'other';

const TEXT = new Set(
  (
    'txt text log csv tsv md markdown rst adoc org tex json jsonc json5 ndjson xml xsd xsl yaml yml toml ini cfg conf config ' +
    'properties env diff patch sql graphql proto html htm xhtml css scss less js mjs cjs jsx ts mts cts tsx vue svelte ' +
    'py pyi rb pl pm php java kt kts scala groovy gradle c h cc cpp cxx hh hpp hxx cs fs go rs swift m mm dart lua r jl ' +
    'hs ml ex exs erl clj lisp el vim sh bash zsh fish ps1 psm1 bat cmd vbs reg ics vcf srt vtt asc pem crt csr gitignore ' +
    'dockerfile makefile cmake mk lock'
  ).split(' '),
);

/** The names VS Code's image preview takes (its filenamePattern in VS Code 1.100). */
const IMAGE = new Set('jpg jpe jpeg png bmp gif ico webp avif svg'.split(' '));

/**
 * Files that run or install something when the system opens them. They are
 * never handed to the system; those that are text (scripts) are in TEXT and
 * open as text instead.
 */
const PROGRAM = new Set(
  (
    'exe com scr pif msi msp msix msixbundle appx appxbundle cpl msc jar jnlp lnk url website webloc desktop app ' +
    'command dmg pkg mpkg deb rpm snap flatpakref appimage apk ipa iso img vhd vhdx hta chm inf scf gadget ' +
    'application settingcontent-ms library-ms xll xlam ppam docm dotm xlsm xltm pptm potm vbe jse wsf wsh ws sct ' +
    'ps1xml psc1 mof dll sys drv ocx so dylib bin run elf'
  ).split(' '),
);

/** The extension of a file name in lower case ('' when there is none); a name like `.bashrc` has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * What Open does with an attachment. The name decides, as it does for the
 * system and for VS Code; the sender's content type counts only for a name
 * without an extension (text/* is opened as text).
 */
export function classifyAttachment(name: string, contentType: string): AttachmentKind {
  const ext = extensionOf(name);
  if (ext === 'eml') return 'message';
  if (IMAGE.has(ext)) return 'image';
  if (TEXT.has(ext) || TEXT.has(name.toLowerCase())) return 'text';
  if (PROGRAM.has(ext)) return 'program';
  if (ext === '' && contentType.toLowerCase().startsWith('text/')) return 'text';
  return 'other';
}

/** An editor an extension contributes for some files (a custom editor or a notebook type). */
export interface ContributedEditor {
  readonly viewType: string;
  /** What the dialog calls it ("Jupyter Notebook"). */
  readonly label: string;
  readonly patterns: readonly string[];
  /** 'option' editors are only used when the user picks them: VS Code does not open files with them by itself. */
  readonly priority: string;
}

/** Which contributed editor VS Code would open `name` with, or undefined (then the system's application does). */
export function editorFor(name: string, editors: readonly ContributedEditor[]): ContributedEditor | undefined {
  return editors.find((e) => e.priority !== 'option' && e.patterns.some((p) => matchesFilePattern(p, name)));
}

/** What package.json files contribute, read defensively (they are other extensions' data). */
export function contributedEditors(manifests: readonly unknown[]): ContributedEditor[] {
  const found: ContributedEditor[] = [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  for (const manifest of manifests) {
    const m = manifest as { displayName?: unknown; contributes?: { customEditors?: unknown; notebooks?: unknown } } | undefined;
    const contributes = m?.contributes;
    if (typeof contributes !== 'object' || contributes === null) continue;
    const entries = [
      ...(Array.isArray(contributes.customEditors) ? contributes.customEditors.map((e: unknown) => ({ e, id: (e as { viewType?: unknown } | null)?.viewType })) : []),
      ...(Array.isArray(contributes.notebooks) ? contributes.notebooks.map((e: unknown) => ({ e, id: (e as { type?: unknown } | null)?.type })) : []),
    ];
    for (const { e, id } of entries) {
      const entry = e as { displayName?: unknown; selector?: unknown; priority?: unknown } | undefined;
      const viewType = str(id);
      if (!viewType || !entry || !Array.isArray(entry.selector)) continue;
      const patterns = entry.selector.map((s: unknown) => str((s as { filenamePattern?: unknown } | undefined)?.filenamePattern)).filter((p): p is string => p !== undefined);
      // A name still in its %placeholder% form was not translated: the extension's own name says more than the key.
      const named = (v: unknown): string | undefined => (str(v)?.startsWith('%') === false ? str(v) : undefined);
      const label = named(entry.displayName) ?? named(m?.displayName) ?? viewType;
      found.push({ viewType, label, patterns, priority: str(entry.priority) ?? 'default' });
    }
  }
  return found;
}

/**
 * Whether a file name matches an editor's filenamePattern: `*` and `?`
 * within a name, `{a,b}` alternatives, and a leading `**∕` or folder part
 * (only the name is known here, so only the pattern's last segment counts).
 * Case-insensitive. Names and patterns are short; `*` backtracks to its last
 * position only, so a match costs at most name × pattern steps.
 */
export function matchesFilePattern(pattern: string, name: string): boolean {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  return expandBraces(last).some((p) => wildcard(p.toLowerCase(), name.toLowerCase()));
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  const close = open === -1 ? -1 : pattern.indexOf('}', open);
  if (close === -1) return [pattern];
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1));
  const out: string[] = [];
  for (const alt of pattern.slice(open + 1, close).split(',')) for (const tail of tails) out.push(head + alt + tail);
  return out.slice(0, 256);
}

function wildcard(p: string, s: string): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || p[i] === s[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star !== -1) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

/** The temporary folder of one window: its extension host's process id and a random part. */
export function windowFolderName(pid: number, random: string): string {
  return `${pid}-${random}`;
}

/**
 * What activation does with an entry of the temporary root: a window's
 * folder stays while its process lives; any other entry is from a version
 * without window folders (those versions emptied the root on activation).
 */
export function tempFolderVerdict(name: string, isAlive: (pid: number) => boolean, own: string): 'keep' | 'remove' | 'unowned' {
  if (name === own) return 'keep';
  const match = /^(\d{1,10})-[0-9a-f]{8,64}$/.exec(name);
  if (!match) return 'unowned';
  const pid = Number(match[1]);
  return pid > 0 && isAlive(pid) ? 'keep' : 'remove';
}

/** An entry from a version without window folders is removed once it is this old. */
const UNOWNED_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * At activation: removes from the temporary root the folders of windows
 * whose process has ended, and old entries of earlier versions; never the
 * folder of a window that runs. Returns the names removed.
 */
export async function removeStaleTempFolders(root: string, own: string, isAlive: (pid: number) => boolean = processAlive, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const entries = await fs.readdir(root).catch(() => [] as string[]);
  for (const name of entries) {
    const full = path.join(root, name);
    const verdict = tempFolderVerdict(name, isAlive, own);
    if (verdict === 'keep') continue;
    if (verdict === 'unowned') {
      const stat = await fs.stat(full).catch(() => undefined);
      if (!stat || now - stat.mtimeMs < UNOWNED_MAX_AGE_MS) continue;
    }
    await fs.rm(full, { recursive: true, force: true }).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** Whether a process runs (signal 0 tests without sending; EPERM means it runs under another user). */
export function processAlive(pid: number, kill: (pid: number, signal: 0) => void = (p, s) => process.kill(p, s)): boolean {
  try {
    kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Where Save and Save All start: the folder the user last saved to, else
 * their Downloads folder, else their home folder. Never the workspace: a
 * stranger's conftest.py or Makefile there is run by the user's tools.
 */
export function defaultSaveFolder(remembered: string | undefined, home: string, isFolder: (p: string) => boolean): string {
  if (remembered !== undefined && path.isAbsolute(remembered) && isFolder(remembered)) return remembered;
  const downloads = path.join(home, 'Downloads');
  return isFolder(downloads) ? downloads : home;
}
