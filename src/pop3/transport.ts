import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { Pop3Error } from './errors';
import type { Pop3Limits } from './limits';
import { secureContextWith } from './secure-context';

export interface TlsOptions {
  readonly host: string;
  readonly port: number;
  /** Extra trusted CA certificates (PEM), in addition to the system's. */
  readonly ca?: string | Buffer;
  /**
   * SHA-256 fingerprint of the one certificate to accept (hex, colons
   * optional). When set, that exact certificate is trusted whatever its chain
   * or name, and any other is refused before a byte is written (T08).
   */
  readonly pin?: string;
  readonly signal?: AbortSignal;
}

/** What the peer presented; for "trust this certificate" and serverinfo. */
export interface PeerCertificateInfo {
  readonly fingerprint256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly subjectAltName: string;
}

/** The details a Tls error carries about the certificate that was refused (T06). */
export class CertificateError extends Pop3Error {
  constructor(
    message: string,
    readonly certificate: PeerCertificateInfo | undefined,
    readonly reason: string,
  ) {
    super('Tls', message);
  }
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

export function describeCertificate(cert: tls.PeerCertificate): PeerCertificateInfo {
  const dn = (o: Record<string, unknown> | undefined): string =>
    o ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '';
  return {
    fingerprint256: cert.fingerprint256 ?? '',
    subject: dn(cert.subject as unknown as Record<string, unknown>),
    issuer: dn(cert.issuer as unknown as Record<string, unknown>),
    validFrom: cert.valid_from ?? '',
    validTo: cert.valid_to ?? '',
    subjectAltName: cert.subjectaltname ?? '',
  };
}

const aborted = (): Pop3Error => new Pop3Error('Aborted', 'The operation was cancelled.');

/**
 * A TLS socket we dial ourselves decrypts into one reused buffer (`onread`)
 * instead of a new 16 KB Buffer per record pushed through a Readable: a
 * 573 MB fetch otherwise spends most of a second in stream code and leaves
 * tens of MB of dead chunks for the collector. The bytes handed on are
 * borrowed: valid only during the call, so whoever keeps them copies.
 */
const READ_BUFFER_BYTES = 64 * 1024;

interface BorrowedReader {
  deliver?: (chunk: Buffer) => void;
  /** Copies of what arrived before anyone listened (the greeting can). */
  readonly early: Buffer[];
}

const borrowedReaders = new WeakMap<Socket, BorrowedReader>();

/**
 * Gives `deliver` every byte the socket receives: borrowed chunks for a
 * socket opened by connectTls without `plain`, 'data' chunks otherwise
 * (plain sockets, the STLS upgrade, test doubles).
 */
export function readFrom(socket: Socket, deliver: (chunk: Buffer) => void): void {
  const reader = borrowedReaders.get(socket);
  if (!reader) {
    socket.on('data', deliver);
    return;
  }
  reader.deliver = deliver;
  for (const chunk of reader.early.splice(0)) deliver(chunk);
}

function borrowingReadOption(): { reader: BorrowedReader; onread: OnReadOpts } {
  const reader: BorrowedReader = { early: [] };
  const onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback: (length: number, buffer: Uint8Array): boolean => {
      const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, length);
      if (reader.deliver) reader.deliver(chunk);
      else reader.early.push(Buffer.from(chunk));
      return true;
    },
  };
  return { reader, onread };
}

/** Opens a plain TCP connection (for STLS on port 110). */
export function connectPlain(options: Pick<TlsOptions, 'host' | 'port' | 'signal'>, limits: Pop3Limits): Promise<Socket> {
  const { host, port } = options;
  return settle(
    () => netConnect({ host, port }),
    'connect',
    limits.connectTimeoutMs,
    `No connection to ${host}:${port} within ${limits.connectTimeoutMs} ms.`,
    options,
    (s) => Promise.resolve(s),
  );
}

/**
 * Opens a TLS connection, or upgrades `plain` after STLS. Verifies the chain
 * (system CAs plus `ca`) and the host name ourselves on secureConnect, so that
 * a refused certificate can be described (fingerprint) and a pin compared,
 * before any protocol byte is read or written. TLS 1.2 or newer; SNI for host
 * names (T06-T10).
 */
export function connectTls(options: TlsOptions, limits: Pop3Limits, plain?: Socket): Promise<tls.TLSSocket> {
  const { host, port } = options;
  const timeout = plain ? limits.tlsTimeoutMs : limits.connectTimeoutMs + limits.tlsTimeoutMs;
  // Node reads a wrapped socket (after STLS) the usual way only.
  const borrowing = plain ? undefined : borrowingReadOption();
  return settle(
    () => {
      const socket = tls.connect({
        host,
        port,
        socket: plain,
        // In Node's tls.connect since v15, though not in its typings.
        ...({ onread: borrowing?.onread } as object),
        servername: isIP(host) ? undefined : host,
        // The context sets TLS 1.2 as the minimum too, for an extra CA file.
        minVersion: 'TLSv1.2',
        // Checked below, on secureConnect, before anything is exchanged.
        rejectUnauthorized: false,
        secureContext: options.ca ? secureContextWith(options.ca.toString()) : undefined,
      });
      if (borrowing) borrowedReaders.set(socket, borrowing.reader);
      return socket;
    },
    'secureConnect',
    timeout,
    `No TLS handshake with ${host}:${port} within ${timeout} ms.`,
    options,
    (socket) => verifyPeer(socket, options),
  );
}

function verifyPeer(socket: tls.TLSSocket, options: TlsOptions): Promise<tls.TLSSocket> {
  const cert = socket.getPeerCertificate();
  const info = cert && Object.keys(cert).length > 0 ? describeCertificate(cert) : undefined;
  const where = `${options.host}:${options.port}`;
  if (options.pin !== undefined) {
    const want = normalizeFingerprint(options.pin);
    const got = normalizeFingerprint(info?.fingerprint256 ?? '');
    if (!want || want !== got) {
      return Promise.reject(
        new CertificateError(`The certificate of ${where} does not match the pinned fingerprint; the connection was closed.`, info, 'PIN_MISMATCH'),
      );
    }
    return Promise.resolve(socket);
  }
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'UNKNOWN');
    return Promise.reject(new CertificateError(`The certificate of ${where} is not trusted (${reason}).`, info, reason));
  }
  const nameError = tls.checkServerIdentity(options.host, cert);
  if (nameError) {
    return Promise.reject(
      new CertificateError(`The certificate of ${where} is not valid for the name ${options.host} (${nameError.message}).`, info, 'HOSTNAME_MISMATCH'),
    );
  }
  return Promise.resolve(socket);
}

/** Runs a connect with a deadline and abort; on any failure the socket is destroyed. */
function settle<S extends Socket>(
  open: () => S,
  readyEvent: 'connect' | 'secureConnect',
  timeoutMs: number,
  timeoutMessage: string,
  options: Pick<TlsOptions, 'host' | 'port' | 'signal'>,
  check: (socket: S) => Promise<S>,
): Promise<S> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(aborted());
  return new Promise<S>((resolve, reject) => {
    const socket = open();
    let settled = false;
    const done = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onAbort = (): void => done(aborted());
    const onError = (err: NodeJS.ErrnoException): void => done(classifySocketError(err, options.host, options.port));
    const timer = setTimeout(() => done(new Pop3Error('Timeout', timeoutMessage)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.once(readyEvent, () => {
      check(socket).then(
        () => done(undefined),
        (err: Error) => done(err),
      );
    });
  });
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Turns a socket error into a Pop3Error with a message a user can act on. */
export function classifySocketError(err: NodeJS.ErrnoException, host: string, port: number): Pop3Error {
  const code = err.code ?? '';
  // A connection dropped mid-handshake is a network failure (worth a retry), not a certificate problem.
  if (/^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) {
    return new Pop3Error('Connect', `Cannot connect to ${host}:${port}: ${err.message}.`, { cause: err });
  }
  if (TLS_CODES.test(code) || /certificate|SSL|TLS|wrong version number/i.test(err.message)) {
    return new Pop3Error('Tls', `The TLS connection to ${host}:${port} failed: ${err.message} (${code || 'TLS'}).`, { cause: err });
  }
  return new Pop3Error('Connect', `Cannot connect to ${host}:${port}: ${err.message}.`, { cause: err });
}
