import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { Pop3Error } from './errors';
import type { Pop3Limits } from './limits';

export interface TlsOptions {
  readonly host: string;
  readonly port: number;
  /** Extra trusted CA certificates (PEM), in addition to the system's. */
  readonly ca?: string | Buffer;
  readonly signal?: AbortSignal;
}

/**
 * Opens an implicit-TLS connection (POP3S, port 995) with certificate and
 * host-name verification, TLS 1.2 or newer, and SNI for host names (T07, T09, T10).
 */
export function connectTls(options: TlsOptions, limits: Pop3Limits): Promise<tls.TLSSocket> {
  const { host, port, signal } = options;
  if (signal?.aborted) return Promise.reject(new Pop3Error('Aborted', 'The operation was cancelled.'));
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ca: options.ca ? [...tls.rootCertificates, options.ca.toString()] : undefined,
    });
    let settled = false;
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onAbort = (): void => done(new Pop3Error('Aborted', 'The operation was cancelled.'));
    const onError = (err: NodeJS.ErrnoException): void => done(classifySocketError(err, host, port));
    const timer = setTimeout(
      () => done(new Pop3Error('Timeout', `No TLS connection to ${host}:${port} within ${limits.connectTimeoutMs + limits.tlsTimeoutMs} ms.`)),
      limits.connectTimeoutMs + limits.tlsTimeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => done());
    socket.on('error', onError);
  });
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** Turns a socket error into a Pop3Error with a message a user can act on. */
export function classifySocketError(err: NodeJS.ErrnoException, host: string, port: number): Pop3Error {
  const code = err.code ?? '';
  if (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(err.message)) {
    return new Pop3Error('Tls', `The TLS connection to ${host}:${port} failed: ${err.message} (${code || 'TLS'}).`, { cause: err });
  }
  return new Pop3Error('Connect', `Cannot connect to ${host}:${port}: ${err.message}.`, { cause: err });
}
