// Every size and time limit of the POP3 engine, in one place. Crossing a size
// limit is a Pop3Error('LimitExceeded'); a time limit, Pop3Error('Timeout').
// A hostile or broken server must never make us buffer without bound or wait
// for ever.

export interface Pop3Limits {
  /** Longest status line (+OK/-ERR, greeting) we buffer. RFC 2449 allows 512
   * octets; real servers send longer greetings and CAPA lines, so we allow 16x
   * that, and refuse a 10 MB "line" (docs/security.md T20). */
  readonly maxStatusLine: number;
  /** Largest multi-line listing (CAPA, LIST, UIDL, TOP) kept in memory. A
   * 1,000,000-message UIDL listing is about 30 MB; more is an attack. */
  readonly maxListingBytes: number;
  /** Largest message we store. Bigger mail is refused so that a server that
   * streams for ever cannot fill the disk (T21). */
  readonly maxMessageBytes: number;
  /** Multi-line replies whose bytes exceed the size LIST announced by more
   * than this factor (plus a fixed slack) are cut off (T21). */
  readonly listSizeSlackFactor: number;
  /** TCP connect, including DNS. */
  readonly connectTimeoutMs: number;
  /** TLS handshake (implicit TLS or after STLS, T05). */
  readonly tlsTimeoutMs: number;
  /** From connected to the end of the greeting line (T12). */
  readonly greetingTimeoutMs: number;
  /** No byte from the server for this long while a reply is awaited. */
  readonly idleTimeoutMs: number;
  /** Every multi-line reply may take this long, plus its size at minReplyBytesPerSecond:
   * a server that trickles a byte just inside the idle timeout must not keep
   * a RETR alive for hours (T21). */
  readonly replyBaseMs: number;
  /** The slowest transfer we wait for: 4 KB/s, a very slow mobile link. */
  readonly minReplyBytesPerSecond: number;
  /** Commands in flight at once when the server offers PIPELINING. Bounded so
   * that our send buffer and the server's input queue stay small. */
  readonly pipelineWindow: number;
}

export const DEFAULT_LIMITS: Pop3Limits = {
  maxStatusLine: 8 * 1024,
  maxListingBytes: 64 * 1024 * 1024,
  maxMessageBytes: 256 * 1024 * 1024,
  listSizeSlackFactor: 2,
  connectTimeoutMs: 15_000,
  tlsTimeoutMs: 15_000,
  greetingTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  replyBaseMs: 120_000,
  minReplyBytesPerSecond: 4 * 1024,
  pipelineWindow: 64,
};

export function withLimits(overrides: Partial<Pop3Limits> | undefined): Pop3Limits {
  return overrides ? { ...DEFAULT_LIMITS, ...overrides } : DEFAULT_LIMITS;
}
