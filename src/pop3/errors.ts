/** Why a POP3 operation failed. One class, one code union (CONTRIBUTING.md). */
export type Pop3ErrorCode =
  | 'Connect' // TCP connection refused, unreachable, DNS failure
  | 'Timeout' // a connect, greeting, handshake or command deadline passed
  | 'Tls' // handshake failed, certificate refused, pin mismatch
  | 'Protocol' // the server broke the protocol (bad greeting, unexpected reply)
  | 'AuthFailed' // the server said the credentials are wrong
  | 'ServerTemp' // -ERR [SYS/TEMP] or another transient server condition
  | 'ServerPerm' // -ERR [SYS/PERM] or a plain -ERR to a command
  | 'InUse' // -ERR [IN-USE]: another session holds the maildrop
  | 'LoginDelay' // -ERR [LOGIN-DELAY]: logged in too soon
  | 'LimitExceeded' // a size limit in limits.ts was crossed
  | 'Aborted' // the caller's AbortSignal fired
  | 'Closed'; // the connection closed before the reply

const TRANSIENT: ReadonlySet<Pop3ErrorCode> = new Set(['Connect', 'Timeout', 'ServerTemp', 'InUse', 'LoginDelay', 'Closed']);

export class Pop3Error extends Error {
  override readonly name = 'Pop3Error';
  readonly code: Pop3ErrorCode;
  /** The server's own text (untrusted; escape before display), kept apart from ours. */
  readonly serverText: string | undefined;

  constructor(code: Pop3ErrorCode, message: string, options?: { serverText?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverText = options?.serverText;
  }

  /** Retry may help (network, busy mailbox); otherwise the account needs editing. */
  isTransient(): boolean {
    return TRANSIENT.has(this.code);
  }

  static is(value: unknown, code?: Pop3ErrorCode): value is Pop3Error {
    return value instanceof Pop3Error && (code === undefined || value.code === code);
  }
}
