// End-to-end harness: a real VS Code (code-server) with our .vsix installed,
// driven by Playwright in Debian's Chromium (CONTRIBUTING.md "Tests"). VS Code's
// own test runner downloads VS Code, which these machines cannot do.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterEach } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePorts, makeOwnedTempDir } from './dovecot';
import { killGroup, signal, sleep } from './processes';

/** The extension's view container in the activity bar (CONTRIBUTING.md "Tests"). */
export const ACTIVITY_BAR_ENTRY = '.activitybar a[aria-label="POP3 Mail"]';
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const VIEWPORT = { width: 1400, height: 900 };

// __filename, not __dirname: tsx gives a wrong __dirname when an ESM file imports this one.
const REPO_ROOT = path.resolve(path.dirname(__filename), '..', '..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

const INSTALL_TIMEOUT_MS = 15 * 60_000; // first install downloads ~200 packages
const INSTALL_EXTENSION_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
/** How long a workbench element may take to show up. */
export const UI_TIMEOUT_MS = 20_000;
/**
 * How long a new webview may take to show its content. In code-server 4.100
 * (VS Code 1.100 for the web) every webview registers its own service worker
 * in one shared scope; measured on the test machine: in about 1 of 7
 * quick open/close sequences the new worker stays "installed" for about 30 s
 * while the previous one finishes an event (its 30 s resource timeout), and
 * the webview stays blank until then. Newer VS Code changed this code
 * (microsoft/vscode#312020) but needs Node 22; the extension cannot reach it.
 */
export const WEBVIEW_LOAD_TIMEOUT_MS = 45_000;
const LOG_CAP = 256 * 1024;

/** Settings of a test that fetches only when it asks: no check at startup, no timer. */
export const NO_AUTOMATIC_CHECKS: Readonly<Record<string, unknown>> = {
  'pop3Mail.checkOnStartup': false,
  'pop3Mail.checkInterval': 0,
};

/** The "Work" account entry for alice on a test Dovecot: implicit TLS with that Dovecot's CA. */
export function workAccount(dovecot: { readonly pop3sPort: number; readonly caFile: string }): Record<string, unknown> {
  return { name: 'Work', host: 'localhost', port: dovecot.pop3sPort, user: 'alice', security: 'tls', caFile: dovecot.caFile };
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  /** Stops the editor; `beforeCleanup` runs once it has exited, before its folders are removed (to audit them). */
  stop(options?: { beforeCleanup?: () => void }): Promise<void>;
  logText(): string;
}

export interface CodeServerOptions {
  /** Extension to install first; omit to start a bare editor. */
  vsix?: string;
  /** User settings, merged over quiet defaults (no trust prompt, no tips). */
  settings?: Record<string, unknown>;
  /** Folder to open; default an empty temp folder. */
  workspace?: string;
  /** Fixed port (e.g. to forward it); default a free one. */
  port?: number;
  /** More code-server arguments, e.g. ['--log', 'trace']. */
  extraArgs?: string[];
  /** The editor's home folder (os.homedir() in the extension host, where save dialogs start); default this user's. */
  home?: string;
  /**
   * Workspace Trust as a user has it (on): the folder opens in Restricted
   * Mode until trusted. Default off, so that no trust dialog covers the workbench.
   */
  workspaceTrust?: boolean;
}

/**
 * User settings that keep the workbench quiet and deterministic: no trust
 * dialog, no welcome page, no update or recommendation notifications that
 * would cover the parts a test looks at.
 */
const QUIET_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
};

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const bin = await ensureCodeServer();
  const dir = makeOwnedTempDir('pop3-code-server-');
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  const workspace = opts.workspace ?? path.join(dir, 'workspace');
  const configFile = path.join(dir, 'config.yaml');
  try {
    for (const d of [userDataDir, extensionsDir, workspace, path.join(userDataDir, 'User')]) fs.mkdirSync(d, { recursive: true });
    // Our own config file, so code-server never writes ~/.config/code-server.
    fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
    const trust = opts.workspaceTrust === true ? { 'security.workspace.trust.enabled': true } : {};
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...trust, ...opts.settings }, null, 2));
    const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
    if (opts.vsix) await installExtension(bin, common, opts.vsix);

    const port = opts.port ?? (await freePorts(1))[0];
    const args = [
      ...common,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(opts.workspaceTrust === true ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      ...(opts.extraArgs ?? []),
      workspace,
    ];
    const server = new CodeServerProcess(bin, args, dir, port, userDataDir, extensionsDir, workspace, opts.home);
    await server.waitUntilServing(START_TIMEOUT_MS);
    return server;
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

class CodeServerProcess implements CodeServer {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private hasExited = false;
  private log = '';
  private stopping: Promise<void> | undefined;

  constructor(
    bin: string,
    args: string[],
    private readonly dir: string,
    readonly port: number,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspace: string,
    home: string | undefined,
  ) {
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    // setpriv --pdeathsig: if this Node process is killed outright, the
    // code-server parent dies with it, and its inner server process notices
    // within 5 s and exits too, instead of holding the port forever.
    this.child = spawn('setpriv', ['--pdeathsig=KILL', process.execPath, bin, ...args], {
      detached: true, // own process group, so stop() also reaches extension hosts
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', ...(home ? { HOME: home } : {}) }, // tsx's loader must not leak into the editor
    });
    const capture = (chunk: Buffer): void => {
      this.log += chunk.toString('utf8');
      if (this.log.length > LOG_CAP) this.log = this.log.slice(-LOG_CAP / 2);
    };
    this.child.stdout?.on('data', capture);
    this.child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      const done = (): void => {
        this.hasExited = true;
        resolve();
      };
      this.child.once('exit', done);
      // spawn failures (no setpriv) come as 'error' without 'exit'
      this.child.once('error', (err) => {
        this.log += `\n${err.message}\n`;
        done();
      });
    });
    liveServers.add(this);
    installExitCleanup();
  }

  logText(): string {
    return this.log;
  }

  stop(options?: { beforeCleanup?: () => void }): Promise<void> {
    this.stopping ??= this.doStop(options?.beforeCleanup);
    return this.stopping;
  }

  async waitUntilServing(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.hasExited) throw await this.failure(`code-server exited during startup (code ${this.child.exitCode})`);
      if ((await httpStatus(`http://127.0.0.1:${this.port}/healthz`)) === 200) return;
      if (Date.now() > deadline) throw await this.failure(`code-server did not answer on port ${this.port} within ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  killNow(): void {
    if (!this.hasExited) killGroup(this.child.pid);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async failure(message: string): Promise<Error> {
    const log = this.log.slice(-4000);
    await this.stop();
    return new Error(`${message}\n--- code-server output ---\n${log}`);
  }

  private async doStop(beforeCleanup?: () => void): Promise<void> {
    if (!this.hasExited) {
      signal(this.child.pid, 'SIGTERM');
      await Promise.race([this.exited, sleep(STOP_TIMEOUT_MS)]);
    }
    // Extension hosts and other helpers share the group; none may outlive us.
    killGroup(this.child.pid);
    await this.exited;
    liveServers.delete(this);
    try {
      beforeCleanup?.();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

const liveServers = new Set<CodeServerProcess>();
let exitCleanupInstalled = false;

/** A test that throws before stop() must not leave an editor running. */
function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.on('exit', () => {
    for (const s of liveServers) s.killNow();
  });
}

/** Installs code-server on first use (cached afterwards) and returns its entry script. */
async function ensureCodeServer(): Promise<string> {
  const script = path.join(REPO_ROOT, 'scripts', 'ensure-code-server.sh');
  const { stdout } = await run('bash', [script], INSTALL_TIMEOUT_MS);
  const bin = stdout.trim().split('\n').pop() ?? '';
  if (!bin || !fs.existsSync(bin)) throw new Error(`ensure-code-server.sh printed no usable path: ${JSON.stringify(stdout)}`);
  // The .bin entry is a symlink with a `#!/usr/bin/env node` line; run it with this Node instead.
  return fs.realpathSync(bin);
}

async function installExtension(bin: string, common: string[], vsix: string): Promise<void> {
  if (!fs.existsSync(vsix)) throw new Error(`vsix not found: ${vsix} (run npm run package)`);
  const { stdout, stderr } = await run(process.execPath, [bin, ...common, '--install-extension', path.resolve(vsix)], INSTALL_EXTENSION_TIMEOUT_MS);
  // code-server exits 0 even when the install failed (e.g. engines too new).
  if (!/successfully installed/i.test(stdout + stderr)) {
    throw new Error(`installing ${vsix} into code-server failed:\n${stdout}${stderr}`);
  }
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`, { cause: err }));
        else resolve({ stdout, stderr });
      },
    );
  });
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

// ---------------------------------------------------------------- browser

export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} not found: run scripts/install-deps.sh`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
  try {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    return { browser, page };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Loads the workbench and waits until it is built (the extension host may still be starting). */
export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // The activity bar and status bar come with the workbench's first layout.
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
}

/** Saves test-artifacts/<name>.png (kept by CI) and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, timeout: UI_TIMEOUT_MS });
  return file;
}

/** What the screen looked like at the end of each test of a file (`<prefix>-end-NN.png`; a failure's picture explains it). */
export function screenshotAfterEachTest(prefix: string, page: () => Page | undefined): void {
  let testNumber = 0;
  afterEach(async () => {
    testNumber++;
    const p = page();
    if (p) await screenshot(p, `${prefix}-end-${String(testNumber).padStart(2, '0')}`).catch(() => undefined);
  });
}

// ---------------------------------------------------------------- processes

