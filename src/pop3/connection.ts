import type { Socket } from 'node:net';
import { Pop3Error } from './errors';
import { DotDecoder, lineEnd, lineText } from './framer';
import type { Pop3Limits } from './limits';
import { parseStatus, type StatusReply } from './reply';
import { readFrom } from './transport';

/** A complete reply: the status line and, for multi-line replies, the body when it was collected. */
export interface Reply {
  readonly status: StatusReply;
  /** Collected body of a multi-line reply without a sink (listings). */
  readonly body?: Buffer;
}

export interface ExpectOptions {
  /** A multi-line reply follows a +OK. */
  readonly multi: boolean;
  /** Receives the decoded body of a multi-line reply as views of a reused read buffer: copy what is kept. */
  readonly sink?: (chunk: Buffer) => void;
  /** Body bytes allowed before the reply is cut off with LimitExceeded. */
  readonly maxBody?: number;
  /** A "+ challenge" SASL continuation is a valid reply (AUTH only). */
  readonly continuation?: boolean;
  /** The whole reply must arrive within this many ms of becoming the one being read (T21). */
  readonly deadlineMs?: number;
}

interface Pending extends ExpectOptions {
  readonly logForm: string;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** Trace hook: direction and the redacted line. */
export type TraceFn = (direction: 'C' | 'S' | '*', text: string) => void;

const EMPTY = Buffer.alloc(0);

/**
 * One POP3 connection: a FIFO of expected replies fed by a byte-level reader.
 * Any failure (timeout, limit, protocol error, close, abort) fails every
 * waiting reply and destroys the socket; the connection is then unusable.
 */
export class Pop3Connection {
  private readonly queue: Pending[] = [];
  private buffered: Buffer = EMPTY;
  private decoder: DotDecoder | undefined;
  private bodyBytes = 0;
  private bodyChunks: Buffer[] | undefined;
  private failure: Error | undefined;
  /** Deadline timer of the reply at the head of the queue. */
  private deadline: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.fail(new Pop3Error('Aborted', 'The operation was cancelled.'));

  constructor(
    private readonly socket: Socket,
    private readonly limits: Pop3Limits,
    private readonly signal?: AbortSignal,
    private readonly trace?: TraceFn,
  ) {
    readFrom(socket, (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new Pop3Error('Closed', `The connection failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new Pop3Error('Closed', 'The server closed the connection.')));
    socket.on('timeout', () => this.fail(new Pop3Error('Timeout', 'The server stopped answering.')));
    if (signal) {
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Waits for the greeting (a reply without a command), with its own deadline. */
  async greeting(): Promise<StatusReply> {
    const timer = setTimeout(
      () => this.fail(new Pop3Error('Timeout', 'The server sent no greeting.')),
      this.limits.greetingTimeoutMs,
    );
    try {
      return (await this.expect('(greeting)', { multi: false })).status;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends one command and waits for its reply. `logForm` is what the trace
   * shows (credentials redacted by the caller). Several calls in a row without
   * awaiting pipeline the commands.
   */
  command(line: string, logForm: string, options: ExpectOptions): Promise<Reply> {
    options = { ...options, deadlineMs: options.deadlineMs ?? this.defaultDeadline(options) };
    if (/[\r\n\0]/.test(line)) {
      return Promise.reject(new Pop3Error('Protocol', 'A command argument contains CR, LF or NUL; nothing was sent.'));
    }
    const reply = this.expect(logForm, options);
    if (!this.failure) {
      this.trace?.('C', logForm);
      this.socket.write(`${line}\r\n`);
    }
    return reply;
  }

  /** Runs `send` with the socket corked: the commands it sends leave in one write. */
  corked<T>(send: () => T): T {
    this.socket.cork();
    try {
      return send();
    } finally {
      this.socket.uncork();
    }
  }

  /** True while replies are awaited. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /**
   * Hands the socket over for a TLS upgrade after STLS. Refuses if the server
   * sent anything after the STLS reply: bytes that arrived in plaintext must
   * never be read as if they came over TLS (T03).
   */
  detach(): Socket {
    if (this.failure) throw this.failure;
    if (this.queue.length > 0 || this.buffered.length > 0 || this.decoder) {
      const err = new Pop3Error('Protocol', 'The server sent data after accepting STLS; the session was closed.');
      this.fail(err);
      throw err;
    }
    this.signal?.removeEventListener('abort', this.onAbort);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('error');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('timeout');
    this.socket.setTimeout(0);
    this.failure = new Pop3Error('Closed', 'This connection was upgraded to TLS.');
    return this.socket;
  }

  /** Ends the connection without waiting (after QUIT or on failure). */
  destroy(): void {
    // Closing on purpose (after QUIT, or giving up) is not a failure to trace;
    // anything still waiting learns that the connection is gone.
    if (!this.failure) {
      this.failure = new Pop3Error('Closed', 'The connection was closed.');
      for (const pending of this.queue.splice(0)) pending.reject(this.failure);
    }
    clearTimeout(this.deadline);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }

  private expect(logForm: string, options: ExpectOptions): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      this.queue.push({ ...options, logForm, resolve, reject });
      this.socket.setTimeout(this.limits.idleTimeoutMs);
      if (this.queue.length === 1) this.armDeadline();
    });
  }

  /** Every reply has an overall deadline, not only an idle timeout: a trickle must end (T21). */
  private defaultDeadline(options: ExpectOptions): number {
    const { replyBaseMs, minReplyBytesPerSecond, maxListingBytes } = this.limits;
    return options.multi ? replyBaseMs + ((options.maxBody ?? maxListingBytes) / minReplyBytesPerSecond) * 1000 : replyBaseMs;
  }

  private armDeadline(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
    const head = this.queue[0];
    if (head?.deadlineMs === undefined) return;
    this.deadline = setTimeout(
      () => this.fail(new Pop3Error('Timeout', `The reply to ${head.logForm} did not complete within ${Math.round(head.deadlineMs! / 1000)} s.`)),
      head.deadlineMs,
    );
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    try {
      this.consume(chunk);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Pop3Error('Protocol', String(err)));
    }
  }

  private consume(chunk: Buffer): void {
    let buf = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.buffered = EMPTY;
    while (buf.length > 0) {
      const head = this.queue[0];
      if (!head) {
        throw new Pop3Error('Protocol', 'The server sent data that no command asked for.', {
          serverText: buf.toString('latin1', 0, Math.min(buf.length, 200)),
        });
      }
      if (this.decoder) {
        const { consumed, done } = this.decoder.push(buf);
        buf = buf.subarray(consumed);
        if (!done) return;
        this.decoder = undefined;
        this.finish({ status: { ok: true, text: '', code: undefined }, body: this.collected() }, true);
        continue;
      }
      const end = lineEnd(buf);
      if (end === -1 || end > this.limits.maxStatusLine) {
        if (end > this.limits.maxStatusLine || buf.length > this.limits.maxStatusLine) {
          throw new Pop3Error('LimitExceeded', `The server sent a status line longer than ${this.limits.maxStatusLine} bytes.`);
        }
        this.buffered = Buffer.from(buf);
        return;
      }
      const text = lineText(buf.subarray(0, end));
      buf = buf.subarray(end);
      this.trace?.('S', text);
      const status = parseStatus(text, head.continuation === true);
      if (head.multi && status.ok) {
        this.startBody(head, status);
      } else {
        this.finish({ status });
      }
    }
  }

  private statusOfBody: StatusReply | undefined;

  private startBody(head: Pending, status: StatusReply): void {
    this.statusOfBody = status;
    this.bodyBytes = 0;
    this.bodyChunks = head.sink ? undefined : [];
    const max = head.maxBody ?? this.limits.maxListingBytes;
    this.decoder = new DotDecoder((piece) => {
      this.bodyBytes += piece.length;
      if (this.bodyBytes > max) {
        throw new Pop3Error('LimitExceeded', `The reply to ${head.logForm} is larger than ${max} bytes; it was discarded.`);
      }
      if (head.sink) head.sink(piece);
      else this.bodyChunks!.push(Buffer.from(piece));
    });
  }

  private collected(): Buffer | undefined {
    const chunks = this.bodyChunks;
    this.bodyChunks = undefined;
    return chunks ? Buffer.concat(chunks) : undefined;
  }

  private finish(reply: Reply, fromBody = false): void {
    const head = this.queue.shift()!;
    const status = fromBody ? this.statusOfBody! : reply.status;
    if (this.queue.length === 0) this.socket.setTimeout(0);
    this.armDeadline();
    head.resolve({ ...reply, status });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    clearTimeout(this.deadline);
    this.trace?.('*', `connection failed: ${error.message}`);
    this.destroy();
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }
}
