// An in-process, scriptable POP3 server for hostile and faulty behaviour that
// Dovecot will not produce (docs/security.md "Where to test what"). Each connection
// runs a script: a list of steps that send bytes (whole, in chunks, one byte
// per write), wait for a client line, upgrade to TLS, stall, close or reset.
// Every line the client sends is recorded, so a test can assert that no
// USER/PASS/AUTH/APOP ever left the client.
//
// Plain TCP, implicit TLS (`tls` option) and STLS (a `startTls` step) all run
// on one net.Server, so the raw TCP socket is always at hand for `reset`.
import * as net from 'node:net';
import * as tls from 'node:tls';

/** One step of a script. Steps run in order; the end of a script leaves the connection open and silent. */
export type Step =
  /** Writes bytes: in one write, or `chunkSize` bytes per write (1 = one byte per write), `delayMs` apart. */
  | { readonly send: string | Buffer; readonly chunkSize?: number; readonly delayMs?: number }
  /** Waits for the next line from the client (recorded without its CRLF) and checks it. */
  | { readonly expect: RegExp }
  /**
   * Upgrades to TLS (server side), with `reply` (e.g. "+OK Begin TLS\r\n")
   * written in the same tick just before, so that the client's handshake
   * bytes can never be read as a line.
   */
  | { readonly startTls: true; readonly reply?: string | Buffer }
  /** Never answers again (the client must time out). */
  | { readonly stall: true }
  /** Sleeps. */
  | { readonly waitMs: number }
  /** Writes `chunk` again and again (respecting back-pressure) until `totalBytes` are out or the client goes away. */
  | { readonly flood: Buffer; readonly totalBytes: number; readonly delayMs?: number }
  /** Ends the connection with a FIN after flushing. */
  | { readonly close: true }
  /** Aborts the connection with a TCP RST (socket.resetAndDestroy). */
  | { readonly reset: true }
  /** Anything else, written by the test. */
  | { readonly run: (session: ScriptedSession) => Promise<void> | void };

export interface ScriptedServerOptions {
  /** The script for every connection, or one per connection (index from 0). */
  readonly script: readonly Step[] | ((index: number) => readonly Step[]);
  /** Implicit TLS from the first byte with these server options (key, cert, SNICallback, maxVersion...). */
  readonly tls?: tls.TlsOptions;
  /** Server TLS options for a `startTls` step; defaults to `tls`. */
  readonly startTls?: tls.TlsOptions;
}

const HOST = '127.0.0.1';
/** The client is ours, but bound what we keep of a "line" anyway. */
const MAX_LINE = 1024 * 1024;

/** One accepted connection and what happened on it. */
export class ScriptedSession {
  /** Every line the client sent, in order, without CRLF (latin1). */
  readonly lines: string[] = [];
  /** Script problems: an unexpected line, a closed connection while expecting. */
  readonly errors: string[] = [];
  /** Bytes received from the client (decrypted, when TLS is on). */
  bytesReceived = 0;
  /** SNI the client sent (`false` when none), once TLS is up. */
  servername: string | false | undefined;
  /** Negotiated TLS version, once TLS is up. */
  tlsProtocol: string | null | undefined;
  /** Why the server-side TLS handshake failed, if it did. */
  tlsError: Error | undefined;
  /** Resolves when the TCP connection is closed (by either side). */
  readonly closed: Promise<void>;
  /** Resolves when the script has run to its end (or stopped on an error). */
  done: Promise<void> = Promise.resolve();

  private stream: net.Socket;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly queued: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private isClosed = false;
  private readonly onData = (chunk: Buffer): void => this.read(chunk);
  private readonly onEnd = (): void => this.wake();

  constructor(
    readonly index: number,
    /** The TCP socket (for reset); `stream` is the TLS socket on top of it once TLS is up. */
    readonly raw: net.Socket,
  ) {
    this.stream = raw;
    raw.setNoDelay(true);
    raw.on('error', () => undefined); // the client may reset or vanish; that is what the tests are about
    this.closed = new Promise((resolve) => raw.once('close', () => {
      this.isClosed = true;
      this.wake();
      resolve();
    }));
    this.attach(raw);
  }

  get closedYet(): boolean {
    return this.isClosed || this.raw.destroyed;
  }

  /** Writes and waits until the bytes are handed to the kernel (or the socket is gone). */
  write(data: string | Buffer): Promise<void> {
    if (this.closedYet || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        this.stream.write(data, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** The next line the client sends, or undefined once the connection has closed. */
  nextLine(): Promise<string | undefined> {
    const line = this.queued.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closedYet) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Server-side TLS on the current connection (implicit TLS, or after STLS). */
  upgrade(options: tls.TlsOptions, reply?: string | Buffer): Promise<void> {
    const plain = this.stream;
    plain.off('data', this.onData);
    plain.off('end', this.onEnd);
    if (reply !== undefined) plain.write(reply);
    // Bytes of a partial line read in plaintext are handed back: if they are
    // the start of the client's handshake, TLSSocket replays them.
    if (this.pendingBytes > 0) {
      plain.unshift(Buffer.concat(this.pending));
      this.pending = [];
      this.pendingBytes = 0;
    }
    const secure = new tls.TLSSocket(plain, {
      isServer: true,
      requestCert: false,
      rejectUnauthorized: false,
      ...options,
    });
    secure.on('error', (err) => {
      this.tlsError ??= err;
      this.raw.destroy();
    });
    this.stream = secure;
    return new Promise((resolve) => {
      const finish = (): void => {
        secure.off('secure', onSecure);
        this.raw.off('close', finish);
        resolve();
      };
      const onSecure = (): void => {
        this.servername = (secure as tls.TLSSocket & { servername?: string | false }).servername ?? false;
        this.tlsProtocol = secure.getProtocol();
        this.attach(secure);
        finish();
      };
      secure.once('secure', onSecure);
      this.raw.once('close', finish);
    });
  }

  /** Runs the script; an unexpected line or a closed connection stops it (recorded in `errors`). */
  async run(steps: readonly Step[], options: ScriptedServerOptions): Promise<void> {
    for (const step of steps) {
      if ('send' in step) {
        const data = typeof step.send === 'string' ? Buffer.from(step.send, 'latin1') : step.send;
        const size = step.chunkSize ?? data.length;
        for (let i = 0; i < data.length && !this.closedYet; i += size) {
          await this.write(data.subarray(i, i + size));
          if (step.delayMs) await sleep(step.delayMs);
          else if (size < data.length) await new Promise((r) => setImmediate(r));
        }
      } else if ('expect' in step) {
        const line = await this.nextLine();
        if (line === undefined) {
          this.errors.push(`connection closed while expecting ${step.expect}`);
          return;
        }
        if (!step.expect.test(line)) {
          this.errors.push(`expected ${step.expect}, got ${JSON.stringify(line.slice(0, 200))}`);
          this.raw.destroy();
          return;
        }
      } else if ('startTls' in step) {
        const tlsOptions = options.startTls ?? options.tls;
        if (!tlsOptions) throw new Error('startTls step without TLS options');
        await this.upgrade(tlsOptions, step.reply);
      } else if ('stall' in step) {
        await this.closed;
      } else if ('waitMs' in step) {
        await sleep(step.waitMs);
      } else if ('flood' in step) {
        let sent = 0;
        while (sent < step.totalBytes && !this.closedYet) {
          const ok = this.stream.write(step.flood);
          sent += step.flood.length;
          if (step.delayMs) await sleep(step.delayMs);
          else if (!ok) await Promise.race([new Promise((r) => this.stream.once('drain', r)), this.closed]);
        }
      } else if ('close' in step) {
        this.stream.end();
        await this.closed;
      } else if ('reset' in step) {
        if (!this.raw.destroyed) this.raw.resetAndDestroy();
        await this.closed;
      } else {
        await step.run(this);
      }
      if (this.closedYet && !('close' in step) && !('reset' in step) && !('stall' in step)) return;
    }
  }

  private attach(stream: net.Socket): void {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
  }

  private read(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const parts = this.pending;
      parts.push(chunk.subarray(start, nl));
      this.pending = [];
      this.pendingBytes = 0;
      let line = Buffer.concat(parts).toString('latin1');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.lines.push(line);
      start = nl + 1;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else {
        this.queued.push(line);
      }
    }
    if (start < chunk.length && this.pendingBytes < MAX_LINE) {
      this.pending.push(Buffer.from(chunk.subarray(start)));
      this.pendingBytes += chunk.length - start;
    }
  }

  private wake(): void {
    if (this.waiter && (this.closedYet || this.stream.readableEnded)) {
      const w = this.waiter;
      this.waiter = undefined;
      w(undefined);
    }
  }
}

/** The server: listens on 127.0.0.1, port 0; `close()` ends every connection. */
export class ScriptedServer {
  readonly host = HOST;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    /** One per accepted connection, in order. */
    readonly sessions: readonly ScriptedSession[],
  ) {}

  static async start(options: ScriptedServerOptions): Promise<ScriptedServer> {
    const sessions: ScriptedSession[] = [];
    const server = net.createServer((socket) => {
      const session = new ScriptedSession(sessions.length, socket);
      sessions.push(session);
      const steps = typeof options.script === 'function' ? options.script(session.index) : options.script;
      session.done = (async () => {
        if (options.tls) await session.upgrade(options.tls);
        if (session.closedYet && session.tlsError) return;
        await session.run(steps, options);
      })().catch((err: unknown) => {
        session.errors.push(`script failed: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    return new ScriptedServer(server, (server.address() as net.AddressInfo).port, sessions);
  }

  /** Every line every client sent, in connection order. */
  get lines(): string[] {
    return this.sessions.flatMap((s) => s.lines);
  }

  /** Lines that carry a credential or start a login (USER, PASS, AUTH, APOP). */
  get loginLines(): string[] {
    return this.lines.filter((l) => /^(USER|PASS|AUTH|APOP)\b/i.test(l));
  }

  /** Ends every connection and stops listening. */
  async close(): Promise<void> {
    for (const s of this.sessions) s.raw.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
