// How an account's mail is fetched, as the message view's security line and
// `pop3-mail show` state it. The store remembers it (state.json) at each
// fetch, so the CLI, which has only the store, can say it too.

export interface TransportRecord {
  readonly security: 'tls' | 'starttls';
  /** What the server's certificate was checked against. */
  readonly verification: 'pin' | 'ca-file' | 'system';
}

/** From an account's settings (src/sync/account.ts AccountConfig). */
export function transportOf(account: { readonly security: 'tls' | 'starttls'; readonly pin?: string; readonly caFile?: string }): TransportRecord {
  return { security: account.security, verification: account.pin ? 'pin' : account.caFile ? 'ca-file' : 'system' };
}

/** A record read back from disk, or undefined when it is not one. */
export function parseTransport(value: unknown): TransportRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { security, verification } = value as Record<string, unknown>;
  if (security !== 'tls' && security !== 'starttls') return undefined;
  if (verification !== 'pin' && verification !== 'ca-file' && verification !== 'system') return undefined;
  return { security, verification };
}

export function sameTransport(a: TransportRecord | undefined, b: TransportRecord): boolean {
  return a !== undefined && a.security === b.security && a.verification === b.verification;
}

/**
 * The security line in English. The extension shows the same sentences
 * through vscode.l10n (src/vscode/message-view/message-view-manager.ts), which needs
 * them as literals there.
 */
export function securityLineText(t: TransportRecord): string {
  const how = t.security === 'tls' ? 'Fetched over TLS (POP3S)' : 'Fetched over STARTTLS';
  switch (t.verification) {
    case 'pin':
      return `${how}, certificate pinned`;
    case 'ca-file':
      return `${how}, certificate verified with your CA file`;
    case 'system':
      return `${how}, certificate verified`;
  }
}
