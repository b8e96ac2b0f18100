// A private, rootless Dovecot POP3 server on loopback for integration tests,
// benchmarks and the demo (CONTRIBUTING.md "Tests"). Every instance gets its own
// temp dir, certificate and free ports, so parallel runs and a leftover
// instance from a crashed run can never collide with it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { killGroup, signal, sleep } from './processes';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotOptions {
  users?: DovecotUser[];
  /** Values for `auth_mechanisms`, e.g. ['plain', 'login', 'cram-md5', 'apop']. */
  mechanisms?: string[];
  /** Appended verbatim to dovecot.conf (later settings win). */
  extraConfig?: string;
  /**
   * Adds an `oauth2` passdb for XOAUTH2 and OAUTHBEARER (both are added to
   * `auth_mechanisms`) that checks each bearer token with a form POST to
   * this RFC 7662 introspection URL (a loopback server of the test). It must
   * answer `{"active":true,"username":"<user>"}` to log that user in.
   */
  oauth2IntrospectionUrl?: string;
  /** Startup budget, default 15 s. */
  startTimeoutMs?: number;
}

export interface Dovecot {
  readonly host: string;
  /** Implicit TLS. */
  readonly pop3sPort: number;
  /** Plain text, STLS upgradable. */
  readonly pop3Port: number;
  /** PEM of the self-signed server certificate, to trust it. */
  readonly caFile: string;
  readonly dir: string;
  readonly users: readonly DovecotUser[];
  maildir(user: string): string;
  /** Writes one message into Maildir/new (via tmp/), returns its path. */
  deliver(user: string, raw: Buffer | string, name?: string): string;
  logText(): string;
  /**
   * Kills the instance by the pid we started, waits until its ports are
   * closed, removes the temp dir. Idempotent. `graceful` asks Dovecot to shut
   * down first (lets sessions log their end; costs about a second).
   */
  stop(options?: { graceful?: boolean }): Promise<void>;
}

export const DEFAULT_USER: DovecotUser = { user: 'alice', password: 's3cret' };
export const DEFAULT_MECHANISMS = ['plain', 'login'];

const DOVECOT_BIN = '/usr/sbin/dovecot';
const HOST = '127.0.0.1';
/** Unprivileged uid/gid (nobody/nogroup) the server runs as when we are root. */
const NOBODY = 65534;
const MAX_START_ATTEMPTS = 3;
/** Dovecot ignores SIGTERM for seconds if it arrives right after startup. */
const GRACEFUL_STOP_MS = 3000;
const PORTS_CLOSE_MS = 3000;
const OUTPUT_CAP = 64 * 1024;
const DIR_PREFIX = 'pop3-dovecot-';
/** Pid of the Node process that owns an instance dir, see makeOwnedTempDir(). */
const OWNER_FILE = 'owner.pid';

/** Who owns the server's files and runs the server processes. */
interface Identity {
  uid: number;
  gid: number;
  userName: string;
  groupName: string;
  /** setpriv options that run Dovecot as that identity and tie its life to ours. */
  setpriv: string[];
}

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  if (!fs.existsSync(DOVECOT_BIN)) {
    throw new Error(`${DOVECOT_BIN} not found: run scripts/install-deps.sh (SKIP_CODE_SERVER=1 is enough)`);
  }
  const users = options.users ?? [DEFAULT_USER];
  const base = options.mechanisms ?? DEFAULT_MECHANISMS;
  const oauth = ['xoauth2', 'oauthbearer'].filter((m) => options.oauth2IntrospectionUrl !== undefined && !base.includes(m));
  const mechanisms = [...base, ...oauth];
  if (options.oauth2IntrospectionUrl !== undefined && !/^http:\/\/127\.0\.0\.1:\d+\/[\w/-]*$/.test(options.oauth2IntrospectionUrl)) {
    throw new Error(`the introspection URL must be http://127.0.0.1:<port>/<path>: ${options.oauth2IntrospectionUrl}`);
  }
  validateUsers(users);
  validateMechanisms(mechanisms);

  let lastError: unknown;
  // Free ports are picked by binding port 0 and releasing it, so another
  // process can grab one before Dovecot binds it: retry with new ports then.
  for (let attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(users, mechanisms, options);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortTakenError)) throw err;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function startOnce(
  users: readonly DovecotUser[],
  mechanisms: readonly string[],
  options: DovecotOptions,
): Promise<Dovecot> {
  const id = identity();
  const dir = makeOwnedTempDir(DIR_PREFIX);
  let child: ChildProcess | undefined;
  try {
    const [pop3Port, pop3sPort] = await freePorts(2);
    const caFile = layout(dir, users, id);
    const confFile = path.join(dir, 'etc', 'dovecot.conf');
    if (options.oauth2IntrospectionUrl !== undefined) {
      fs.writeFileSync(path.join(dir, 'etc', 'oauth2.conf.ext'), oauth2Config(options.oauth2IntrospectionUrl));
    }
    fs.writeFileSync(
      confFile,
      config({ dir, pop3Port, pop3sPort, mechanisms, id, extra: options.extraConfig, oauth2: options.oauth2IntrospectionUrl !== undefined }),
    );
    chownTree(dir, id);

    const output = { text: '' };
    child = spawn('setpriv', [...id.setpriv, DOVECOT_BIN, '-F', '-c', confFile], {
      // Own process group: a stuck instance can be killed with its children.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const capture = (chunk: Buffer): void => {
      if (output.text.length < OUTPUT_CAP) output.text += chunk.toString('utf8');
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    const instance = new DovecotInstance(child, dir, caFile, pop3Port, pop3sPort, users, id, output);
    try {
      await instance.waitUntilListening(options.startTimeoutMs ?? 15000);
    } catch (err) {
      const log = instance.logText();
      await instance.stop();
      if (/Address already in use/i.test(log)) throw new PortTakenError(log, { cause: err });
      throw new Error(`${(err as Error).message}\n--- dovecot log ---\n${log}`, { cause: err });
    }
    return instance;
  } catch (err) {
    if (!child) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

class DovecotInstance implements Dovecot {
  readonly host = HOST;
  private readonly exited: Promise<void>;
  private hasExited = false;
  private stopping: Promise<void> | undefined;
  private finalLog: string | undefined;
  private deliveries = 0;

  constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly caFile: string,
    readonly pop3Port: number,
    readonly pop3sPort: number,
    readonly users: readonly DovecotUser[],
    private readonly id: Identity,
    private readonly output: { text: string },
  ) {
    this.exited = new Promise((resolve) => {
      const done = (): void => {
        this.hasExited = true;
        resolve();
      };
      child.once('exit', done);
      // spawn failures (no setpriv) come as 'error' without 'exit'
      child.once('error', (err) => {
        output.text += `\n${err.message}\n`;
        done();
      });
    });
    live.add(this);
    installExitCleanup();
  }

  maildir(user: string): string {
    if (!this.users.some((u) => u.user === user)) throw new Error(`unknown Dovecot user ${user}`);
    return path.join(this.dir, 'mail', user, 'Maildir');
  }

  deliver(user: string, raw: Buffer | string, name?: string): string {
    const fileName = name ?? `${Date.now()}.M${++this.deliveries}P${process.pid}.pop3test`;
    // Dovecot reads `,S=<size>` in a name as the exact size and fails the
    // mailbox if it lies, and '/' or ':' would break the Maildir layout.
    if (!/^[A-Za-z0-9._-]+$/.test(fileName) || fileName.startsWith('.')) {
      throw new Error(`bad Maildir file name ${JSON.stringify(fileName)}`);
    }
    const box = this.maildir(user);
    const tmp = path.join(box, 'tmp', fileName);
    const dest = path.join(box, 'new', fileName);
    if (fs.existsSync(dest)) throw new Error(`${dest} already exists`);
    fs.writeFileSync(tmp, typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
    fs.chownSync(tmp, this.id.uid, this.id.gid);
    // The rename is what makes the message visible: never half a file.
    fs.renameSync(tmp, dest);
    return dest;
  }

  logText(): string {
    if (this.finalLog !== undefined) return this.finalLog;
    const logFile = path.join(this.dir, 'log', 'dovecot.log');
    let log = '';
    try {
      log = fs.readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    return this.output.text ? `${log}${this.output.text}` : log;
  }

  stop(options: { graceful?: boolean } = {}): Promise<void> {
    this.stopping ??= this.doStop(options.graceful ?? false);
    return this.stopping;
  }

  async waitUntilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const port of [this.pop3sPort, this.pop3Port]) {
      for (;;) {
        if (this.hasExited) throw new Error(`dovecot exited during startup (code ${this.child.exitCode})`);
        if (await canConnect(port)) break;
        if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${HOST}:${port} within ${timeoutMs} ms`);
        await sleep(50);
      }
    }
  }

  private async doStop(graceful: boolean): Promise<void> {
    // The default is a hard kill: the instance's state is thrown away anyway,
    // and a graceful Dovecot shutdown takes a second or more per test.
    if (graceful) {
      signal(this.child.pid, 'SIGTERM');
      await Promise.race([this.exited, sleep(GRACEFUL_STOP_MS)]);
    }
    killGroup(this.child.pid);
    await this.exited;
    // The master is gone, but login processes sharing the listening sockets
    // may still be dying: "stopped" must mean "refuses connections".
    const deadline = Date.now() + PORTS_CLOSE_MS;
    while ((await canConnect(this.pop3sPort, HOST, 200)) || (await canConnect(this.pop3Port, HOST, 200))) {
      if (Date.now() > deadline) break;
      await sleep(20);
    }
    this.finalLog = this.logText();
    live.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Last resort at process exit: synchronous, so no waiting. */
  killNow(): void {
    if (!this.hasExited) killGroup(this.child.pid);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const live = new Set<DovecotInstance>();
let exitCleanupInstalled = false;

/**
 * A test that throws or forgets stop() must not leave a server behind. The
 * 'exit' hook covers normal ends; setpriv's --pdeathsig covers a parent that
 * is killed outright (SIGKILL, crash), where no JavaScript runs at all.
 */
function installExitCleanup(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.on('exit', () => {
    for (const d of live) d.killNow();
  });
}

/**
 * A temp dir for one server instance, marked with our pid. A parent killed
 * outright takes its servers with it (--pdeathsig) but leaves the dir, so
 * first remove dirs with this prefix whose owner process is gone; dirs of
 * live runs, including parallel ones, are left alone.
 */
export function makeOwnedTempDir(prefix: string): string {
  sweepStaleDirs(prefix);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.writeFileSync(path.join(dir, OWNER_FILE), `${process.pid}\n`);
  return dir;
}

function sweepStaleDirs(prefix: string): void {
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = fs.readdirSync(tmp).filter((e) => e.startsWith(prefix));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(tmp, entry);
    try {
      const pid = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner file (being created, or not ours): leave it
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, just not ours to signal
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function identity(): Identity {
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) {
    return {
      uid: NOBODY,
      gid: NOBODY,
      userName: 'nobody',
      groupName: 'nogroup',
      setpriv: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--pdeathsig=KILL'],
    };
  }
  // Not root: Dovecot runs as us, and its internal and login users must be us too.
  const gid = process.getgid?.() ?? -1;
  const groupName = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { uid, gid, userName: os.userInfo().username, groupName, setpriv: ['--pdeathsig=KILL'] };
}

/** Creates etc/, run/, state/, log/, mail/<user>/Maildir and the cert; returns the CA file. */
function layout(dir: string, users: readonly DovecotUser[], id: Identity): string {
  for (const sub of ['etc', 'run', 'state', 'log', 'mail']) fs.mkdirSync(path.join(dir, sub));
  // passwd-file: user:{PLAIN}password:uid:gid::home:: (plain so that every
  // mechanism, including CRAM-MD5, SCRAM and APOP, can be enabled)
  const lines = users.map((u) => `${u.user}:{PLAIN}${u.password}:${id.uid}:${id.gid}::${path.join(dir, 'mail', u.user)}::`);
  fs.writeFileSync(path.join(dir, 'etc', 'users'), lines.join('\n') + '\n');
  for (const u of users) {
    for (const sub of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(dir, 'mail', u.user, 'Maildir', sub), { recursive: true });
  }
  const cert = path.join(dir, 'etc', 'cert.pem');
  const key = path.join(dir, 'etc', 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', key, '-out', cert,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return cert;
}

interface ConfigInput {
  dir: string;
  pop3Port: number;
  pop3sPort: number;
  mechanisms: readonly string[];
  id: Identity;
  extra: string | undefined;
  oauth2: boolean;
}

/** Dovecot's oauth2 passdb settings: token introspection by form POST (RFC 7662). */
function oauth2Config(url: string): string {
  return `introspection_mode = post
introspection_url = ${url}
username_attribute = username
active_attribute = active
active_value = true
`;
}

function config(c: ConfigInput): string {
  const p = (sub: string): string => path.join(c.dir, sub);
  return `# generated by test/support/dovecot.ts
protocols = pop3
listen = ${HOST}
base_dir = ${p('run')}
state_dir = ${p('state')}
instance_name = ${path.basename(c.dir)}
log_path = ${p('log/dovecot.log')}
auth_verbose = yes
default_internal_user = ${c.id.userName}
default_login_user = ${c.id.userName}
default_internal_group = ${c.id.groupName}
ssl = required
ssl_cert = <${p('etc/cert.pem')}
ssl_key = <${p('etc/key.pem')}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = ${c.mechanisms.join(' ')}
${
  c.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${p('etc/oauth2.conf.ext')}
}
`
    : ''
}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${p('etc/users')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${p('etc/users')}
}
mail_location = maildir:~/Maildir
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = ${c.pop3Port}
  }
  inet_listener pop3s {
    port = ${c.pop3sPort}
    ssl = yes
  }
}
service anvil {
  chroot =
}
protocol pop3 {
  pop3_uidl_format = %08Xu%08Xv
  pop3_reuse_xuidl = yes
}
${c.extra ?? ''}
`;
}

function validateUsers(users: readonly DovecotUser[]): void {
  if (users.length === 0) throw new Error('startDovecot needs at least one user');
  for (const u of users) {
    // ':' and newlines would corrupt the passwd-file; '/' the mail path.
    if (!/^[A-Za-z0-9._@+-]+$/.test(u.user)) throw new Error(`bad Dovecot user name ${JSON.stringify(u.user)}`);
    if (/[:\r\n\0]/.test(u.password)) throw new Error(`password for ${u.user} may not contain ':' or line breaks`);
  }
}

function validateMechanisms(mechanisms: readonly string[]): void {
  for (const m of mechanisms) {
    if (!/^[A-Za-z0-9-]+$/.test(m)) throw new Error(`bad auth mechanism ${JSON.stringify(m)}`);
  }
}

function chownTree(dir: string, id: Identity): void {
  if (process.getuid?.() !== 0) return;
  fs.chownSync(dir, id.uid, id.gid);
  for (const entry of fs.readdirSync(dir, { recursive: true })) {
    fs.chownSync(path.join(dir, entry.toString()), id.uid, id.gid);
  }
}

/** Distinct free loopback ports: all listeners stay open until all are picked. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, HOST, () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** True if something accepts TCP connections on HOST:port right now. */
export function canConnect(port: number, host = HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}




/**
 * Waits until every session of `user` that logged in has ended in Dovecot's
 * log (so a deletion committed at QUIT is done), within `timeoutMs`.
 */
export async function waitSessionsEnded(dovecot: Dovecot, user: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const login = new RegExp(`Login: user=<${user.replace(/[^A-Za-z0-9]/g, '\\$&')}>.*session=<([^>]+)>`, 'g');
  for (;;) {
    const log = dovecot.logText();
    const logins = [...log.matchAll(login)].map((m) => m[1]!);
    const ended = new Set([...log.matchAll(/<([^<>\n]+)>: \w+: Disconnected/g)].map((m) => m[1]!));
    const open = logins.filter((s) => !ended.has(s));
    if (open.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Dovecot sessions still open after ${timeoutMs} ms: ${open.join(', ')}`);
    await sleep(10);
  }
}

/** How many messages `user` has on the server (Maildir new/ and cur/). */
export function messagesOnServer(dovecot: Dovecot, user: string): number {
  const box = dovecot.maildir(user);
  return fs.readdirSync(path.join(box, 'new')).length + fs.readdirSync(path.join(box, 'cur')).length;
}
