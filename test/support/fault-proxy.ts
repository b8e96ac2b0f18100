// A TCP proxy on 127.0.0.1 that injects one fault per direction into a
// connection: reset, stall or truncate once a given number of bytes has been
// forwarded. It forwards bytes verbatim, so TLS passes through unchanged (the
// client still verifies the server's certificate for its own host name).
//
// Semantics, per connection and per direction (counts start at 0 for each
// connection and direction):
//   none      forward everything.
//   reset     forward the first `afterBytes` bytes; when more arrive, reset
//             (RST) both sides once those bytes are handed to the kernel.
//             Like any RST, it can overtake bytes the peer has not read yet
//             (Linux then reports a plain end of stream to the peer).
//   truncate  forward the first `afterBytes` bytes; when more arrive, end the
//             receiving side cleanly (FIN) and drop the sending side.
//   stall     forward the first `afterBytes` bytes; when more arrive, forward
//             nothing more in that direction and stop reading from the sender,
//             keeping both sockets open until a peer closes or close() is called.
// A fault fires only when the byte after `afterBytes` arrives: a fault past
// the end of the session never fires. `arm()` sets a fault on the live
// connections relative to what they have forwarded so far (to hit a point
// found from a protocol trace, e.g. "after QUIT was sent, before its reply").
//
// Bounded: at most `maxConnections` at once, no buffering beyond one chunk
// (backpressure follows the slower side), close() destroys every socket.

import * as net from 'node:net';

export type FaultKind = 'none' | 'reset' | 'stall' | 'truncate';
export type Direction = 'serverToClient' | 'clientToServer';

export interface Fault {
  readonly kind: FaultKind;
  /** Bytes forwarded in this direction before the fault fires (0: at the first byte). */
  readonly afterBytes?: number;
}

export interface FaultProxyOptions {
  /** Port of the real server on `targetHost`. */
  readonly targetPort: number;
  readonly targetHost?: string;
  readonly serverToClient?: Fault;
  readonly clientToServer?: Fault;
  /** Faults apply to the first N connections; later ones pass cleanly. Default: all. */
  readonly faultyConnections?: number;
  /** Connections held at once; more are refused. Default 16. */
  readonly maxConnections?: number;
}

export interface FiredFault {
  readonly connection: number;
  readonly direction: Direction;
  readonly kind: Exclude<FaultKind, 'none'>;
  /** Bytes forwarded in that direction when it fired. */
  readonly atBytes: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  /** True once any fault has fired. */
  readonly fired: boolean;
  readonly firedFaults: readonly FiredFault[];
  /** Connections accepted so far. */
  readonly connections: number;
  /** Bytes forwarded in a direction, over all connections. */
  bytes(direction: Direction): number;
  /** Bytes forwarded in a direction on the most recent connection (0 if none). */
  currentBytes(direction: Direction): number;
  /** Sets a fault on every live connection, firing after `afterMoreBytes` more bytes in that direction. */
  arm(direction: Direction, kind: FaultKind, afterMoreBytes?: number): void;
  /** Destroys every socket and stops listening. Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new Proxy(options);
  await proxy.listen();
  return proxy;
}

/** One direction of one connection. */
class Pipe {
  forwarded = 0;
  private limit: number;
  private kind: FaultKind;
  /** Once fired (or the sender ended), nothing more is forwarded. */
  private done = false;

  constructor(
    readonly direction: Direction,
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    fault: Fault | undefined,
    private readonly onFire: (pipe: Pipe, kind: Exclude<FaultKind, 'none'>) => void,
  ) {
    this.kind = fault?.kind ?? 'none';
    this.limit = this.kind === 'none' ? Infinity : Math.max(0, fault?.afterBytes ?? 0);
    from.on('data', (chunk: Buffer) => this.onData(chunk));
    from.on('end', () => {
      if (this.done) return;
      this.done = true;
      if (!this.to.destroyed) this.to.end();
    });
  }

  arm(kind: FaultKind, afterMoreBytes: number): void {
    if (this.done) return;
    this.kind = kind;
    this.limit = kind === 'none' ? Infinity : this.forwarded + Math.max(0, afterMoreBytes);
  }

  private onData(chunk: Buffer): void {
    if (this.done) return;
    const room = this.limit - this.forwarded;
    if (chunk.length <= room) {
      this.write(chunk);
      return;
    }
    const head = chunk.subarray(0, Math.max(0, room));
    this.done = true;
    const kind = this.kind as Exclude<FaultKind, 'none'>;
    // The fault acts once the bytes before it are handed to the kernel, so a
    // reset cannot discard them from our own send buffer.
    if (head.length) this.write(head, () => this.onFire(this, kind));
    else this.onFire(this, kind);
  }

  private write(chunk: Buffer, flushed?: () => void): void {
    if (this.to.destroyed || !this.to.writable) {
      flushed?.();
      return;
    }
    this.forwarded += chunk.length;
    if (!this.to.write(chunk, flushed && (() => flushed()))) {
      // Backpressure: read no more from the sender until the receiver drains.
      this.from.pause();
      this.to.once('drain', () => {
        if (!this.from.destroyed && !this.done) this.from.resume();
      });
    }
  }
}

class Connection {
  readonly toServer: Pipe;
  readonly toClient: Pipe;
  private closed = 0;
  faulted = false;

  constructor(
    readonly id: number,
    readonly client: net.Socket,
    readonly server: net.Socket,
    faults: { serverToClient?: Fault; clientToServer?: Fault },
    onFire: (conn: Connection, pipe: Pipe, kind: Exclude<FaultKind, 'none'>) => void,
    onClosed: (conn: Connection) => void,
  ) {
    const fire = (pipe: Pipe, kind: Exclude<FaultKind, 'none'>): void => onFire(this, pipe, kind);
    this.toClient = new Pipe('serverToClient', server, client, faults.serverToClient, fire);
    this.toServer = new Pipe('clientToServer', client, server, faults.clientToServer, fire);
    for (const s of [client, server]) {
      // Any socket error ends the whole connection (the peer sees a reset).
      s.on('error', () => this.destroy());
      s.on('close', () => {
        if (++this.closed === 2) {
          onClosed(this);
          return;
        }
        // The peer is gone. Without a fault, let the other side finish what it
        // got, then close; after a fault (a paused or half-dead side), drop it.
        const other = this.other(s);
        if (this.faulted) other.destroy();
        else other.end();
      });
    }
  }

  pipe(direction: Direction): Pipe {
    return direction === 'serverToClient' ? this.toClient : this.toServer;
  }

  reset(): void {
    for (const s of [this.client, this.server]) {
      if (!s.destroyed) s.resetAndDestroy();
    }
  }

  /** The receiver gets a clean end after what was forwarded; the sender is dropped. */
  truncate(pipe: Pipe): void {
    const [from, to] = pipe.direction === 'serverToClient' ? [this.server, this.client] : [this.client, this.server];
    if (!to.destroyed) to.end();
    // Server to client: the server is dropped. Client to server: the client's
    // further bytes are discarded, and it still reads what the server says
    // about the commands that got through (the server then closes).
    if (pipe.direction === 'serverToClient' && !from.destroyed) from.destroy();
  }

  /**
   * Server to client: stop reading from the server (its sends back up, as
   * with a dead path). Client to server: keep reading the client (so that its
   * close is seen) but forward nothing more.
   */
  stall(pipe: Pipe): void {
    if (pipe.direction === 'serverToClient') this.server.pause();
  }

  destroy(): void {
    for (const s of [this.client, this.server]) s.destroy();
  }

  private other(s: net.Socket): net.Socket {
    return s === this.client ? this.server : this.client;
  }
}

class Proxy implements FaultProxy {
  readonly host = HOST;
  private server: net.Server;
  private readonly live = new Set<Connection>();
  private latest: Connection | undefined;
  private accepted = 0;
  private readonly totals = { serverToClient: 0, clientToServer: 0 };
  private readonly fires: FiredFault[] = [];
  private closing: Promise<void> | undefined;
  private listenPort = 0;

  constructor(private readonly options: FaultProxyOptions) {
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    this.server.maxConnections = options.maxConnections ?? 16;
  }

  get port(): number {
    return this.listenPort;
  }

  get fired(): boolean {
    return this.fires.length > 0;
  }

  get firedFaults(): readonly FiredFault[] {
    return this.fires;
  }

  get connections(): number {
    return this.accepted;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, HOST, () => {
        this.server.off('error', reject);
        this.listenPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  bytes(direction: Direction): number {
    let sum = this.totals[direction];
    for (const c of this.live) sum += c.pipe(direction).forwarded;
    return sum;
  }

  currentBytes(direction: Direction): number {
    return this.latest?.pipe(direction).forwarded ?? 0;
  }

  arm(direction: Direction, kind: FaultKind, afterMoreBytes = 0): void {
    for (const c of this.live) c.pipe(direction).arm(kind, afterMoreBytes);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const c of this.live) c.destroy();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private accept(client: net.Socket): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    const id = ++this.accepted;
    const faulty = id <= (this.options.faultyConnections ?? Infinity);
    const server = net.connect({ host: this.options.targetHost ?? HOST, port: this.options.targetPort, allowHalfOpen: true });
    const conn = new Connection(
      id,
      client,
      server,
      faulty ? { serverToClient: this.options.serverToClient, clientToServer: this.options.clientToServer } : {},
      (c, pipe, kind) => this.fire(c, pipe, kind),
      (c) => {
        this.live.delete(c);
        this.totals.serverToClient += c.toClient.forwarded;
        this.totals.clientToServer += c.toServer.forwarded;
      },
    );
    this.live.add(conn);
    this.latest = conn;
    client.resume();
  }

  private fire(conn: Connection, pipe: Pipe, kind: Exclude<FaultKind, 'none'>): void {
    conn.faulted = true;
    this.fires.push({ connection: conn.id, direction: pipe.direction, kind, atBytes: pipe.forwarded });
    if (kind === 'reset') conn.reset();
    else if (kind === 'truncate') conn.truncate(pipe);
    else conn.stall(pipe);
  }
}
