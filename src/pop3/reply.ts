import { Pop3Error, type Pop3ErrorCode } from './errors';

/** A parsed status line: "+OK text" or "-ERR [CODE] text" (RFC 1939, RFC 2449). */
export interface StatusReply {
  readonly ok: boolean;
  /** A SASL continuation ("+ challenge", RFC 5034); only valid while AUTH runs. */
  readonly continuation?: boolean;
  /** Text after the status indicator, without the response code. */
  readonly text: string;
  /** RFC 2449 extended response code in brackets, upper-cased, e.g. "SYS/TEMP". */
  readonly code: string | undefined;
}

const STATUS = /^(\+OK|-ERR)(?: (.*))?$/s;
const RESP_CODE = /^\[([A-Za-z0-9/-]{1,64})\]\s?(.*)$/s;

const CONTINUATION = /^\+(?: (.*))?$/s;

/**
 * Parses one status line (without its line ending). With `continuation`, a
 * "+ base64" SASL challenge is accepted too. Anything else is a protocol error.
 */
export function parseStatus(line: string, continuation = false): StatusReply {
  if (continuation && !line.startsWith('+OK')) {
    const c = CONTINUATION.exec(line);
    if (c) return { ok: true, continuation: true, text: (c[1] ?? '').trim(), code: undefined };
  }
  const m = STATUS.exec(line);
  if (!m) {
    throw new Pop3Error('Protocol', 'The server sent a line that is not a POP3 status reply.', {
      serverText: line,
    });
  }
  const ok = m[1] === '+OK';
  const rest = m[2] ?? '';
  const c = RESP_CODE.exec(rest);
  return c ? { ok, text: c[2] ?? '', code: c[1]!.toUpperCase() } : { ok, text: rest, code: undefined };
}

/**
 * Maps an RFC 2449 / RFC 3206 response code to our error code. Codes are
 * hierarchical and unknown detail is ignored (RFC 2449 section 8), so
 * "SYS/TEMP/DISK" is SYS/TEMP. An unknown code is not a bare -ERR: it never
 * means "wrong password" (docs/security.md T14).
 */
function codeFor(code: string | undefined, fallback: Pop3ErrorCode): Pop3ErrorCode {
  if (code === undefined) return fallback;
  const known = ['SYS/TEMP', 'SYS/PERM', 'IN-USE', 'LOGIN-DELAY', 'AUTH'].find((k) => code === k || code.startsWith(`${k}/`));
  switch (known) {
    case 'IN-USE':
      return 'InUse';
    case 'LOGIN-DELAY':
      return 'LoginDelay';
    case 'SYS/TEMP':
      return 'ServerTemp';
    case 'SYS/PERM':
      return 'ServerPerm';
    case 'AUTH':
      return 'AuthFailed';
    default:
      return fallback === 'AuthFailed' ? 'ServerPerm' : fallback;
  }
}

/**
 * The error for a -ERR reply. `fallback` is what a bare -ERR means for this
 * command: AuthFailed for PASS (RFC 3206: only [AUTH] or a bare -ERR to PASS
 * means wrong credentials), ServerPerm for the rest.
 */
export function errorForReply(command: string, reply: StatusReply, fallback: Pop3ErrorCode = 'ServerPerm'): Pop3Error {
  const code = codeFor(reply.code, fallback);
  const what: Record<Pop3ErrorCode, string> = {
    AuthFailed: 'The server rejected the user name or password.',
    InUse: 'The mailbox is in use by another session; try again later.',
    LoginDelay: 'The server asks to wait longer between logins; try again later.',
    ServerTemp: 'The server has a temporary problem; try again later.',
    ServerPerm: `The server refused ${command}.`,
    Connect: '',
    Timeout: '',
    Tls: '',
    Protocol: '',
    LimitExceeded: '',
    Aborted: '',
    Closed: '',
  };
  return new Pop3Error(code, what[code] || `The server refused ${command}.`, { serverText: reply.text });
}
