import { Pop3Connection, type TraceFn } from './connection';
import { Pop3Error } from './errors';
import { splitLines } from './framer';
import { withLimits, type Pop3Limits } from './limits';
import { errorForReply } from './reply';
import { connectTls } from './transport';

export interface Pop3ClientOptions {
  readonly host: string;
  readonly port: number;
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | Buffer;
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

type State = 'authorization' | 'transaction' | 'update' | 'closed';

/** RFC 2449 unique-id: 1 to 70 printable ASCII characters (0x21-0x7E). */
const UIDL_LINE = /^(\d{1,10}) ([\x21-\x7e]{1,70})$/;
const LIST_LINE = /^(\d{1,10}) (\d{1,15})(?: .*)?$/;

/**
 * A POP3 session (RFC 1939) over implicit TLS. States are explicit: commands
 * are only sent in the state that allows them.
 */
export class Pop3Client {
  private state: State = 'authorization';
  private capabilities: Map<string, string> | undefined;

  private constructor(
    private readonly conn: Pop3Connection,
    private readonly limits: Pop3Limits,
    readonly greeting: string,
  ) {}

  /** Connects, verifies TLS and reads the greeting. A bad greeting closes the connection (T12). */
  static async connect(options: Pop3ClientOptions): Promise<Pop3Client> {
    const limits = withLimits(options.limits);
    const socket = await connectTls(options, limits);
    options.trace?.('*', `TLS ${socket.getProtocol() ?? '?'} ${socket.getCipher()?.name ?? ''} to ${options.host}:${options.port}`);
    const conn = new Pop3Connection(socket, limits, options.signal, options.trace);
    try {
      const greeting = await conn.greeting();
      if (!greeting.ok) throw errorForReply('the connection', greeting, 'ServerTemp');
      return new Pop3Client(conn, limits, greeting.text);
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  /** RFC 2449 CAPA; an empty map when the server does not support it. Cached. */
  async capa(): Promise<ReadonlyMap<string, string>> {
    if (this.capabilities) return this.capabilities;
    const reply = await this.conn.command('CAPA', 'CAPA', { multi: true });
    const caps = new Map<string, string>();
    if (reply.status.ok && reply.body) {
      for (const line of splitLines(reply.body)) {
        const [name, ...args] = line.trim().split(/\s+/);
        if (name) caps.set(name.toUpperCase(), args.join(' '));
      }
    }
    this.capabilities = caps;
    return caps;
  }

  /** USER/PASS login (RFC 1939). The password never reaches the trace. */
  async login(user: string, password: string): Promise<void> {
    this.require('authorization');
    const u = await this.conn.command(`USER ${user}`, `USER ${user}`, { multi: false });
    if (!u.status.ok) throw errorForReply('USER', u.status, 'AuthFailed');
    const p = await this.conn.command(`PASS ${password}`, 'PASS ********', { multi: false });
    if (!p.status.ok) throw errorForReply('PASS', p.status, 'AuthFailed');
    this.state = 'transaction';
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
    return this.listing('UIDL', UIDL_LINE, (m) => ({ n: Number(m[1]), uidl: m[2]! }));
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

  /** Marks a message deleted; the server removes it only when QUIT succeeds. */
  async dele(n: number): Promise<void> {
    this.require('transaction');
    const r = await this.conn.command(`DELE ${n}`, `DELE ${n}`, { multi: false });
    if (!r.status.ok) throw errorForReply(`DELE ${n}`, r.status);
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
