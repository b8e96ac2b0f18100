import type { TLSSocket } from 'node:tls';
import { apopDigest, apopTimestamp } from './auth/apop';
import { chooseMethod, saslMechanism } from './auth/mechanisms';
import type { AuthMethod, Credentials, InitialResponseForm } from './auth/types';
import { Pop3Connection, type TraceFn } from './connection';
import { Pop3Error } from './errors';
import { splitLines } from './framer';
import { withLimits, type Pop3Limits } from './limits';
import { errorForReply, type StatusReply } from './reply';
import { connectPlain, connectTls, describeCertificate, type PeerCertificateInfo } from './transport';

export interface Pop3ClientOptions {
  readonly host: string;
  readonly port: number;
  /** `tls`: implicit TLS (995, the default). `starttls`: plain port then STLS, strictly (RFC 2595). */
  readonly security?: 'tls' | 'starttls';
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer;
  /** SHA-256 fingerprint of the only certificate to accept. */
  readonly pin?: string;
  readonly signal?: AbortSignal;
  readonly trace?: TraceFn;
  readonly limits?: Partial<Pop3Limits>;
}

export interface UidlEntry {
  readonly n: number;
  readonly uidl: string;
}

export interface ListEntry {
  readonly n: number;
  readonly size: number;
}

/** A message to RETR and where its bytes go. */
export interface RetrJob {
  readonly n: number;
  /** Called before the first byte; returns the sink for this message's bytes. */
  readonly open: () => (chunk: Buffer) => void;
  /** Size LIST announced, to cut off a server that streams far more (T21). */
  readonly listedSize?: number;
}

/**
 * OAuth tokens are often longer than the 255 octets RFC 5034 allows on the
 * AUTH line, and Microsoft documents only the two-line exchange for POP, so
 * the OAuth mechanisms send their response on its own line after the
 * server's "+". The password mechanisms' responses are short and every
 * server takes them inline, which saves a round trip.
 */
function defaultForm(method: AuthMethod): InitialResponseForm {
  return method === 'xoauth2' || method === 'oauthbearer' ? 'separate' : 'inline';
}

type State = 'authorization' | 'transaction' | 'update' | 'closed';

/**
 * RFC 2449 wants 1 to 70 printable ASCII characters; real servers send longer
 * ones and ones with spaces (T23). Tolerated up to a bound: everything after
 * the message number, trimmed.
 */
const UIDL_LINE = /^(\d{1,10}) +([^\r\n]{1,1000})$/;
const LIST_LINE = /^(\d{1,10}) (\d{1,15})(?: .*)?$/;

/**
 * A POP3 session (RFC 1939) over implicit TLS. States are explicit: commands
 * are only sent in the state that allows them.
 */
export class Pop3Client {
  private state: State = 'authorization';
  private capabilities: Map<string, string> | undefined;

  private constructor(
    private conn: Pop3Connection,
    private readonly limits: Pop3Limits,
    readonly greeting: string,
    private socket: TLSSocket,
  ) {}

  /**
   * Connects, secures the connection and reads the greeting. With
   * `starttls`, STLS is required: no STLS in CAPA, or -ERR, aborts before any
   * credential (T01, T02); capabilities are asked again over TLS (T04). A bad
   * greeting closes the connection (T12).
   */
  static async connect(options: Pop3ClientOptions): Promise<Pop3Client> {
    const limits = withLimits(options.limits);
    const { trace, signal } = options;
    if (options.security === 'starttls') {
      const plain = await connectPlain(options, limits);
      const conn = new Pop3Connection(plain, limits, signal, trace);
      try {
        const greeting = await Pop3Client.readGreeting(conn);
        const caps = await Pop3Client.readCapa(conn);
        if (!caps.has('STLS')) {
          throw new Pop3Error('Tls', 'The server does not offer STLS; nothing was sent in plaintext. Use implicit TLS (port 995) or another server.');
        }
        const r = await conn.command('STLS', 'STLS', { multi: false });
        if (!r.status.ok) throw new Pop3Error('Tls', 'The server refused STLS; the session was closed without logging in.', { serverText: r.status.text });
        const socket = await connectTls(options, limits, conn.detach());
        trace?.('*', `TLS ${socket.getProtocol() ?? '?'} ${socket.getCipher()?.name ?? ''} after STLS`);
        return new Pop3Client(new Pop3Connection(socket, limits, signal, trace), limits, greeting.text, socket);
      } catch (err) {
        conn.destroy();
        throw err;
      }
    }
    const socket = await connectTls(options, limits);
    trace?.('*', `TLS ${socket.getProtocol() ?? '?'} ${socket.getCipher()?.name ?? ''} to ${options.host}:${options.port}`);
    const conn = new Pop3Connection(socket, limits, signal, trace);
    try {
      const greeting = await Pop3Client.readGreeting(conn);
      return new Pop3Client(conn, limits, greeting.text, socket);
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  private static async readGreeting(conn: Pop3Connection): Promise<StatusReply> {
    const greeting = await conn.greeting();
    if (!greeting.ok) throw errorForReply('the connection', greeting, 'ServerTemp');
    return greeting;
  }

  private static async readCapa(conn: Pop3Connection): Promise<Map<string, string>> {
    const reply = await conn.command('CAPA', 'CAPA', { multi: true });
    const caps = new Map<string, string>();
    if (reply.status.ok && reply.body) {
      for (const line of splitLines(reply.body)) {
        const [name, ...args] = line.trim().split(/\s+/);
        if (name) caps.set(name.toUpperCase(), args.join(' '));
      }
    }
    return caps;
  }

  /** TLS details of this session, for serverinfo and the message view's security line. */
  tlsInfo(): { protocol: string; cipher: string; certificate: PeerCertificateInfo | undefined } {
    const cert = this.socket.getPeerCertificate();
    return {
      protocol: this.socket.getProtocol() ?? '',
      cipher: this.socket.getCipher()?.name ?? '',
      certificate: cert && Object.keys(cert).length > 0 ? describeCertificate(cert) : undefined,
    };
  }

  /** RFC 2449 CAPA over the secured connection; an empty map when unsupported. Cached per state. */
  async capa(): Promise<ReadonlyMap<string, string>> {
    this.capabilities ??= await Pop3Client.readCapa(this.conn);
    return this.capabilities;
  }

  /** USER/PASS login (RFC 1939). The password never reaches the trace. */
  async login(user: string, password: string): Promise<void> {
    await this.authenticate({ user, password }, 'user');
  }

  /**
   * Logs in with `method`; `auto` picks the strongest SASL mechanism the
   * server offers over TLS, else USER/PASS. Credentials never reach the trace.
   * Only [AUTH] or a bare -ERR means wrong credentials (T14).
   * `initialResponse` overrides where a SASL initial response goes (see
   * `defaultForm`).
   */
  async authenticate(credentials: Credentials, method: AuthMethod = 'auto', options: { initialResponse?: InitialResponseForm } = {}): Promise<void> {
    this.require('authorization');
    // SASL hides the user name in base64, past the connection's own CR/LF/NUL check.
    if (/[\r\n\0]/.test(credentials.user)) {
      throw new Pop3Error('Protocol', 'The user name contains CR, LF or NUL; nothing was sent.');
    }
    const caps = await this.capa();
    const chosen = method === 'auto' ? chooseMethod((caps.get('SASL') ?? '').split(' ').filter(Boolean), credentials) : method;
    if (chosen === 'user') {
      if (credentials.password === undefined) throw new Pop3Error('AuthFailed', 'USER/PASS needs a password.');
      const u = await this.conn.command(`USER ${credentials.user}`, `USER ${credentials.user}`, { multi: false });
      if (!u.status.ok) throw errorForReply('USER', u.status, 'AuthFailed');
      const p = await this.conn.command(`PASS ${credentials.password}`, 'PASS ********', { multi: false });
      if (!p.status.ok) throw errorForReply('PASS', p.status, 'AuthFailed');
    } else if (chosen === 'apop') {
      const stamp = apopTimestamp(this.greeting);
      if (!stamp) throw new Pop3Error('AuthFailed', 'APOP was asked for, but the server greeting has no valid timestamp.');
      if (credentials.password === undefined) throw new Pop3Error('AuthFailed', 'APOP needs a password.');
      const r = await this.conn.command(`APOP ${credentials.user} ${apopDigest(stamp, credentials.password)}`, `APOP ${credentials.user} ********`, { multi: false });
      if (!r.status.ok) throw errorForReply('APOP', r.status, 'AuthFailed');
    } else {
      await this.sasl(chosen, credentials, options.initialResponse ?? defaultForm(chosen));
    }
    this.state = 'transaction';
    this.capabilities = undefined; // RFC 2449: capabilities may differ after login
  }

  private async sasl(method: Parameters<typeof saslMechanism>[0], credentials: Credentials, form: InitialResponseForm): Promise<void> {
    const mech = saslMechanism(method, credentials);
    const initial = mech.initial?.();
    const inline = initial !== undefined && form === 'inline';
    const first = inline ? `AUTH ${mech.name} ${initial.length ? initial.toString('base64') : '='}` : `AUTH ${mech.name}`;
    let reply = await this.conn.command(first, inline ? `AUTH ${mech.name} ********` : `AUTH ${mech.name}`, { multi: false, continuation: true });
    // In the separate form the first "+" asks for the initial response; its challenge is empty by RFC 4422.
    let initialPending = initial !== undefined && !inline;
    for (let round = 0; reply.status.continuation; round++) {
      if (round >= 8) throw new Pop3Error('Protocol', `The ${mech.name} exchange did not end.`);
      let response: Buffer;
      if (initialPending) {
        response = initial!;
        initialPending = false;
      } else {
        try {
          response = mech.step(Buffer.from(reply.status.text, 'base64'));
        } catch (err) {
          // Cancel the exchange (RFC 5034 "*") before reporting.
          await this.conn.command('*', '*', { multi: false }).catch(() => undefined);
          throw err;
        }
      }
      reply = await this.conn.command(response.toString('base64'), '********', { multi: false, continuation: true });
    }
    if (!reply.status.ok) {
      const error = errorForReply(`AUTH ${mech.name}`, reply.status, 'AuthFailed');
      if (error.code !== 'AuthFailed' || (method !== 'xoauth2' && method !== 'oauthbearer')) throw error;
      // "user name or password" would send an OAuth user looking for the wrong thing.
      const detail = mech.failureDetail?.();
      throw new Pop3Error('AuthFailed', `The server rejected the ${mech.name} access token${detail === undefined ? '' : ` (${detail})`}.`, { serverText: error.serverText });
    }
    try {
      mech.finish?.();
    } catch (err) {
      // The server let us in without proving itself: leave the session rather than use it.
      await this.conn.command('QUIT', 'QUIT', { multi: false }).catch(() => undefined);
      throw err;
    }
  }

  async stat(): Promise<{ count: number; size: number }> {
    this.require('transaction');
    const r = await this.conn.command('STAT', 'STAT', { multi: false });
    if (!r.status.ok) throw errorForReply('STAT', r.status);
    const m = /^(\d+) (\d+)/.exec(r.status.text);
    if (!m) throw new Pop3Error('Protocol', 'The server sent a malformed STAT reply.', { serverText: r.status.text });
    return { count: Number(m[1]), size: Number(m[2]) };
  }

  /** UIDL for every message. Lines that break RFC 1939/2449 are a protocol error. */
  async uidlAll(): Promise<UidlEntry[]> {
    return this.listing('UIDL', UIDL_LINE, (m) => ({ n: Number(m[1]), uidl: m[2]!.trim() }));
  }

  /** LIST for every message (sizes in octets as the server counts them). */
  async listAll(): Promise<ListEntry[]> {
    return this.listing('LIST', LIST_LINE, (m) => ({ n: Number(m[1]), size: Number(m[2]) }));
  }

  /**
   * Retrieves messages, pipelined when the server advertises PIPELINING
   * (a bounded window of RETRs in flight), one at a time otherwise. `done`
   * is called in order after each message's last byte; the next RETR's data
   * may already be arriving.
   */
  async retrMany(jobs: readonly RetrJob[], done: (job: RetrJob, bytes: number) => Promise<void> | void): Promise<void> {
    this.require('transaction');
    const caps = await this.capa();
    const window = caps.has('PIPELINING') ? this.limits.pipelineWindow : 1;
    const inFlight: Promise<void>[] = [];
    let next = 0;
    const issue = (job: RetrJob): Promise<void> => {
      let sink: ((chunk: Buffer) => void) | undefined;
      let bytes = 0;
      const maxBody = job.listedSize === undefined
        ? this.limits.maxMessageBytes
        : Math.min(this.limits.maxMessageBytes, job.listedSize * this.limits.listSizeSlackFactor + 64 * 1024);
      const reply = this.conn.command(`RETR ${job.n}`, `RETR ${job.n}`, {
        multi: true,
        maxBody,
        deadlineMs: this.limits.replyBaseMs + (maxBody / this.limits.minReplyBytesPerSecond) * 1000,
        sink: (chunk) => {
          sink ??= job.open();
          bytes += chunk.length;
          sink(chunk);
        },
      });
      return reply.then(async (r) => {
        if (!r.status.ok) throw errorForReply(`RETR ${job.n}`, r.status);
        sink ??= job.open(); // an empty message opens no chunk
        await done(job, bytes);
      });
    };
    const start = (job: RetrJob): void => {
      const p = issue(job);
      p.catch(() => undefined); // awaited below in order; this keeps a later failure from being unhandled
      inFlight.push(p);
    };
    while (next < jobs.length && inFlight.length < window) start(jobs[next++]!);
    while (inFlight.length > 0) {
      await inFlight.shift();
      if (next < jobs.length) start(jobs[next++]!);
    }
  }

  /** Keeps the session alive during long local work. */
  async noop(): Promise<void> {
    this.require('transaction');
    const r = await this.conn.command('NOOP', 'NOOP', { multi: false });
    if (!r.status.ok) throw errorForReply('NOOP', r.status);
  }

  /** Unmarks every message marked deleted in this session. */
  async rset(): Promise<void> {
    this.require('transaction');
    const r = await this.conn.command('RSET', 'RSET', { multi: false });
    if (!r.status.ok) throw errorForReply('RSET', r.status);
  }

  /** The headers and the first `lines` body lines of a message (RFC 1939 TOP). */
  async top(n: number, lines: number, maxBytes = 1024 * 1024): Promise<Buffer> {
    this.require('transaction');
    const r = await this.conn.command(`TOP ${n} ${lines}`, `TOP ${n} ${lines}`, { multi: true, maxBody: maxBytes });
    if (!r.status.ok) throw errorForReply(`TOP ${n}`, r.status);
    return r.body ?? Buffer.alloc(0);
  }

  /** Marks a message deleted; the server removes it only when QUIT succeeds. */
  async dele(n: number): Promise<void> {
    this.require('transaction');
    const r = await this.conn.command(`DELE ${n}`, `DELE ${n}`, { multi: false });
    if (!r.status.ok) throw errorForReply(`DELE ${n}`, r.status);
  }

  /**
   * Marks messages deleted: windows of DELEs sent together when the server
   * advertises PIPELINING (RFC 2449), one at a time otherwise, so a thousand
   * deletions cost a few round trips, not a thousand. Resolves once every
   * DELE was answered +OK; the first -ERR rejects, and the caller must then
   * drop the connection without QUIT so that nothing is committed.
   */
  async deleMany(ns: readonly number[]): Promise<void> {
    if (ns.length === 0) return;
    this.require('transaction');
    const caps = ns.length > 1 ? await this.capa() : undefined;
    const window = caps?.has('PIPELINING') ? this.limits.pipelineWindow : 1;
    for (let i = 0; i < ns.length; i += window) {
      const replies = this.conn.corked(() =>
        ns.slice(i, i + window).map((n) =>
          this.conn.command(`DELE ${n}`, `DELE ${n}`, { multi: false }).then((r) => {
            if (!r.status.ok) throw errorForReply(`DELE ${n}`, r.status);
          }),
        ),
      );
      await Promise.all(replies);
    }
  }

  /** Ends the session; in the transaction state this commits deletions (UPDATE state). */
  async quit(): Promise<void> {
    if (this.state === 'closed') return;
    const wasTransaction = this.state === 'transaction';
    if (wasTransaction) this.state = 'update';
    try {
      const r = await this.conn.command('QUIT', 'QUIT', { multi: false });
      if (!r.status.ok && wasTransaction) throw errorForReply('QUIT', r.status);
    } finally {
      this.close();
    }
  }

  /** Drops the connection without QUIT: no deletion is committed. */
  close(): void {
    this.state = 'closed';
    this.conn.destroy();
  }

  private async listing<T>(command: string, pattern: RegExp, make: (m: RegExpExecArray) => T): Promise<T[]> {
    this.require('transaction');
    const r = await this.conn.command(command, command, { multi: true });
    if (!r.status.ok) throw errorForReply(command, r.status);
    const out: T[] = [];
    for (const line of splitLines(r.body ?? Buffer.alloc(0))) {
      const m = pattern.exec(line);
      if (!m) throw new Pop3Error('Protocol', `The server sent a malformed ${command} line.`, { serverText: line.slice(0, 200) });
      out.push(make(m));
    }
    return out;
  }

  private require(state: State): void {
    if (this.state !== state) {
      throw new Pop3Error('Protocol', `This command needs the ${state} state; the session is in the ${this.state} state.`);
    }
  }
}
