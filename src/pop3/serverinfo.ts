import { apopTimestamp } from './auth/apop';
import { Pop3Client, type Pop3ClientOptions } from './client';
import type { PeerCertificateInfo } from './transport';

/** What a server says about itself before login (CLI `serverinfo`, the editor's Server Info). */
export interface ServerInfo {
  readonly host: string;
  readonly port: number;
  readonly security: 'tls' | 'starttls';
  /** Untrusted server text. */
  readonly greeting: string;
  readonly apopTimestamp: boolean;
  /** Capability name -> arguments, as CAPA listed them over TLS. */
  readonly capabilities: Record<string, string>;
  readonly saslMechanisms: string[];
  /** LOGIN-DELAY seconds, if announced. */
  readonly loginDelay: number | undefined;
  /** EXPIRE: days, "NEVER", or undefined. */
  readonly expire: string | undefined;
  /** Untrusted server text. */
  readonly implementation: string | undefined;
  readonly tls: { readonly protocol: string; readonly cipher: string };
  readonly certificate: PeerCertificateInfo | undefined;
}

export async function serverInfo(options: Pop3ClientOptions): Promise<ServerInfo> {
  const client = await Pop3Client.connect(options);
  try {
    const caps = await client.capa();
    const tls = client.tlsInfo();
    const delay = caps.get('LOGIN-DELAY');
    return {
      host: options.host,
      port: options.port,
      security: options.security ?? 'tls',
      greeting: client.greeting,
      // The engine's strict, linear-time parser (T13); a backtracking regex here was quadratic.
      apopTimestamp: apopTimestamp(client.greeting) !== undefined,
      capabilities: Object.fromEntries(caps),
      saslMechanisms: (caps.get('SASL') ?? '').split(' ').filter(Boolean),
      loginDelay: delay !== undefined && /^\d+/.test(delay) ? parseInt(delay, 10) : undefined,
      expire: caps.get('EXPIRE') || undefined,
      implementation: caps.get('IMPLEMENTATION') || undefined,
      tls: { protocol: tls.protocol, cipher: tls.cipher },
      certificate: tls.certificate,
    };
  } finally {
    await client.quit().catch(() => undefined);
  }
}
