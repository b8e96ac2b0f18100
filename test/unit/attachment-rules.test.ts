// What Open and Save do with attachments, decided without the editor
// (src/vscode/message-view/attachment-rules.ts): which kind opens where,
// which contributed editor would take a file, whose temporary folders may
// go, and where a save dialog starts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { safeFileName } from '../../src/mail/filename';
import {
  classifyAttachment,
  contributedEditors,
  defaultSaveFolder,
  editorFor,
  matchesFilePattern,
  processAlive,
  removeStaleTempFolders,
  tempFolderVerdict,
  windowFolderName,
} from '../../src/vscode/message-view/attachment-rules';

test('classification: text, images, an attached message, programs, and the rest', () => {
  const cases: [string, string, string][] = [
    ['notes.txt', 'application/octet-stream', 'text'],
    ['win.ini', 'application/octet-stream', 'text'],
    ['build.LOG', '', 'text'],
    ['deploy.sh', 'application/x-sh', 'text'],
    ['run.bat', 'application/octet-stream', 'text'],
    ['conftest.py', 'text/x-python', 'text'],
    ['page.html', 'text/html', 'text'],
    ['Makefile', 'application/octet-stream', 'text'],
    ['README', 'text/plain', 'text'],
    ['logo.png', 'application/octet-stream', 'image'],
    ['photo.JPEG', 'image/jpeg', 'image'],
    ['drawing.svg', 'image/svg+xml', 'image'],
    ['forwarded.eml', 'message/rfc822', 'message'],
    ['setup.exe', 'application/octet-stream', 'program'],
    ['installer.msi', 'text/plain', 'program'],
    ['shortcut.lnk', '', 'program'],
    ['disk.iso', '', 'program'],
    ['report.ipynb', 'application/x-ipynb+json', 'other'],
    ['report.ipynb', 'text/plain', 'other'],
    ['Quarterly report Q3.pdf', 'application/pdf', 'other'],
    ['figures.bin', 'application/octet-stream', 'program'],
    ['archive.zip', 'application/zip', 'other'],
    ['bashrc', 'application/octet-stream', 'other'],
    ['bashrc', 'text/plain', 'text'],
  ];
  for (const [name, type, kind] of cases) assert.equal(classifyAttachment(name, type), kind, `${name} (${type})`);
  // What the message view passes in is a safe name: an RTLO name is judged by its real extension.
  assert.equal(classifyAttachment(safeFileName('invoice\u202Egpj.exe'), 'image/jpeg'), 'program');
});

const MANIFESTS: unknown[] = [
  {
    displayName: '%displayName%',
    contributes: { customEditors: [{ viewType: 'imagePreview.previewEditor', displayName: '%customEditor.imagePreview.displayName%', priority: 'builtin', selector: [{ filenamePattern: '*.{jpg,jpe,jpeg,png,bmp,gif,ico,webp,avif,svg}' }] }] },
  },
  { displayName: 'Jupyter', contributes: { notebooks: [{ type: 'jupyter-notebook', displayName: 'Jupyter Notebook', selector: [{ filenamePattern: '*.ipynb' }], priority: 'default' }] } },
  { displayName: 'Hex Editor', contributes: { customEditors: [{ viewType: 'hexEditor.hexedit', displayName: 'Hex Editor', priority: 'option', selector: [{ filenamePattern: '*' }] }] } },
  { displayName: 'PDF Viewer', contributes: { customEditors: [{ viewType: 'pdf.preview', displayName: '%pdf.name%', selector: [{ filenamePattern: '**/*.PDF' }] }] } },
  // Junk a manifest may hold: skipped, not thrown on.
  { contributes: { customEditors: [null, { viewType: 7 }, { viewType: 'x', selector: 'nope' }], notebooks: 'nope' } },
  null,
  'text',
];

test('the editor VS Code would use: contributed custom editors and notebooks, never an "option" one', () => {
  const editors = contributedEditors(MANIFESTS);
  assert.deepEqual(
    editors.map((e) => [e.viewType, e.label, e.priority]),
    [
      ['imagePreview.previewEditor', 'imagePreview.previewEditor', 'builtin'],
      ['jupyter-notebook', 'Jupyter Notebook', 'default'],
      ['hexEditor.hexedit', 'Hex Editor', 'option'],
      ['pdf.preview', 'PDF Viewer', 'default'],
    ],
  );
  assert.equal(editorFor('report.ipynb', editors)?.label, 'Jupyter Notebook');
  assert.equal(editorFor('Quarterly report Q3.pdf', editors)?.viewType, 'pdf.preview', 'folder part and case ignored');
  assert.equal(editorFor('archive.zip', editors), undefined, 'the hex editor is only an option: the system application opens it');
  assert.equal(editorFor('report.ipynb.txt', editors), undefined);
});

test('file patterns: *, ?, {a,b}, folders; a long name does not hang', () => {
  assert.ok(matchesFilePattern('*.{png,jpg}', 'a.JPG'));
  assert.ok(matchesFilePattern('**/*.ipynb', 'x.ipynb'));
  assert.ok(matchesFilePattern('report-??.csv', 'report-01.csv'));
  assert.ok(!matchesFilePattern('report-??.csv', 'report-1.csv'));
  assert.ok(matchesFilePattern('*', 'anything'));
  assert.ok(!matchesFilePattern('*.ipynb', 'ipynb'));
  const started = performance.now();
  assert.ok(!matchesFilePattern('*a*a*a*a*a*a*a*a*b', 'a'.repeat(200)));
  assert.ok(performance.now() - started < 500);
});

test('temporary folders: a running window keeps its folder, a finished one loses it', () => {
  const own = windowFolderName(4242, 'aabbccddeeff0011');
  assert.equal(own, '4242-aabbccddeeff0011');
  const alive = new Set([4242, 777]);
  const isAlive = (pid: number): boolean => alive.has(pid);
  assert.equal(tempFolderVerdict(own, () => false, own), 'keep', 'its own folder, whatever the check says');
  assert.equal(tempFolderVerdict('777-0123456789abcdef', isAlive, own), 'keep', 'another window that still runs');
  assert.equal(tempFolderVerdict('778-0123456789abcdef', isAlive, own), 'remove', 'a window whose process has ended');
  assert.equal(tempFolderVerdict('0-0123456789abcdef', isAlive, own), 'remove');
  assert.equal(tempFolderVerdict('0123456789abcdef01234567', isAlive, own), 'unowned', 'the folder of a version without window folders');
  assert.equal(tempFolderVerdict('777-../../x', isAlive, own), 'unowned');
});

test('processAlive: this process runs, a finished child does not, EPERM counts as running', async () => {
  assert.equal(processAlive(process.pid), true);
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(processAlive(pid), false);
  const eperm = Object.assign(new Error('not permitted'), { code: 'EPERM' });
  assert.equal(
    processAlive(1, () => {
      throw eperm;
    }),
    true,
  );
});

test('save folder: the one last saved to, else Downloads, else home; never the workspace', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-save-home-'));
  try {
    const isFolder = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isDirectory();
    assert.equal(defaultSaveFolder(undefined, home, isFolder), home, 'no Downloads folder: home');
    fs.mkdirSync(path.join(home, 'Downloads'));
    assert.equal(defaultSaveFolder(undefined, home, isFolder), path.join(home, 'Downloads'));
    const last = path.join(home, 'mail-files');
    fs.mkdirSync(last);
    assert.equal(defaultSaveFolder(last, home, isFolder), last, 'the folder the user saved to last');
    assert.equal(defaultSaveFolder(path.join(home, 'gone'), home, isFolder), path.join(home, 'Downloads'), 'a remembered folder that is gone');
    assert.equal(defaultSaveFolder('relative/dir', home, isFolder), path.join(home, 'Downloads'), 'only an absolute path is remembered');
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('activation cleanup on a real folder: dead windows and old leftovers go, running windows and recent leftovers stay', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-tmp-root-'));
  try {
    const own = windowFolderName(process.pid, '00112233aabbccdd');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    const names = {
      own,
      live: windowFolderName(process.ppid, '1111111111111111'),
      dead: windowFolderName(deadPid, '2222222222222222'),
      oldLeftover: 'abcdefabcdefabcdefabcdef',
      newLeftover: 'fedcbafedcbafedcbafedcba',
    };
    for (const name of Object.values(names)) {
      fs.mkdirSync(path.join(root, name, 'copy'), { recursive: true });
      fs.writeFileSync(path.join(root, name, 'copy', 'report.txt'), 'x');
    }
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    fs.utimesSync(path.join(root, names.oldLeftover), twoDaysAgo, twoDaysAgo);
    const removed = await removeStaleTempFolders(root, own);
    assert.deepEqual(removed.sort(), [names.dead, names.oldLeftover].sort());
    assert.deepEqual(fs.readdirSync(root).sort(), [names.own, names.live, names.newLeftover].sort());
    assert.ok(fs.existsSync(path.join(root, names.live, 'copy', 'report.txt')), "another running window's copy is untouched");
    assert.deepEqual(await removeStaleTempFolders(path.join(root, 'missing'), own), [], 'no root yet: nothing to do');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
