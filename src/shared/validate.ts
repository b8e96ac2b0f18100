// Runtime validation of webview -> host messages (docs/security.md T37).
// The webview renders hostile content, so the host treats whatever it posts as
// untrusted: plain objects only, exact key sets, no prototype tricks, and links
// limited to http, https and mailto. Pure TS: no node, no vscode imports.
import type { FromWebview, MessageCommand } from './webview-protocol';

/** Opaque ids and `path:line` references are short; anything longer is not one of ours. */
export const MAX_ID_LENGTH = 64;
export const MAX_REF_LENGTH = 1024;

const COMMANDS: ReadonlySet<string> = new Set<MessageCommand>(['showSource', 'saveAsEml', 'copyAsEml']);

/** Longest href the host will consider (browsers cope with more; mail links rarely need it). */
export const MAX_HREF_LENGTH = 8192;

const ALLOWED_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** C0 controls, space, DEL, C1 controls, bidi and zero-width format characters: never inside a URL we open. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_IN_HREF = /[\u0000-\u0020\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/**
 * The only fields (RFC 6068 hfields) of a mailto link passed on to the mail
 * program. Others would reach it too: `attach=` and friends make some programs attach a local
 * file (`?attach=/home/me/.ssh/id_rsa`), and arbitrary headers (`X-...`,
 * `In-Reply-To`, `From`) shape a message the user did not write.
 */
const MAILTO_FIELDS: ReadonlySet<string> = new Set(['to', 'cc', 'bcc', 'subject', 'body']);

function decodeOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A mailto URL rebuilt from its address part and the allowed fields only,
 * each field name decoded and lower-cased first (so `ATTACH`, `%61ttach` and
 * `attach` are the same field and all dropped). Values are kept as the URL
 * parser encoded them, unless they hide an '&' (see below). The fragment goes. Undefined when nothing is left or
 * the address part hides a query (`%3F`) that a mail program would decode.
 */
function cleanMailto(url: URL): string | undefined {
  const to = url.pathname;
  const decodedTo = decodeOrUndefined(to);
  if (decodedTo === undefined || decodedTo.includes('?')) return undefined;
  const kept: string[] = [];
  // Split by hand: URLSearchParams would read '+' as a space, which RFC 6068 does not.
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = decodeOrUndefined(pair.slice(0, eq))?.toLowerCase();
    if (name === undefined || !MAILTO_FIELDS.has(name)) continue;
    const value = pair.slice(eq + 1);
    // VS Code's opener decodes the query and re-encodes it with encodeURI,
    // which leaves '&' alone: an encoded %26 in a value would become a field
    // separator on the way out (`subject=a%26attach%3D...`). Such a value
    // cannot be passed on faithfully, so the field goes.
    const decoded = decodeOrUndefined(value);
    if (decoded === undefined || decoded.includes('&')) continue;
    kept.push(`${name}=${value}`);
  }
  if (to.length === 0 && kept.length === 0) return undefined;
  return `mailto:${to}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}

/**
 * Returns the href normalised by the URL parser when it is an http(s) URL
 * with a host or a mailto: URL (with only its to, cc, bcc, subject and body
 * fields), else undefined. Everything else (vscode:,
 * file:, command:, javascript:, data:, relative URLs, credentials in the
 * authority) is refused.
 */
export function checkLinkHref(href: unknown): string | undefined {
  if (typeof href !== 'string' || href.length === 0 || href.length > MAX_HREF_LENGTH) return undefined;
  if (FORBIDDEN_IN_HREF.test(href)) return undefined;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (!ALLOWED_LINK_PROTOCOLS.has(url.protocol)) return undefined;
  if (url.protocol === 'mailto:') return cleanMailto(url);
  // http(s): a real host, no user:password@ (used to disguise the destination).
  if (url.hostname.length === 0 || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

/** A plain data object: not an array, a class instance or a proxy-like exotic, with only the given own string keys. */
function plainRecord(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const own = Object.getOwnPropertyNames(value);
  if (own.length !== keys.length) return undefined;
  for (const key of own) {
    if (!keys.includes(key)) return undefined;
    const desc = Object.getOwnPropertyDescriptor(value, key);
    // Accessors could return a different value on every read.
    if (desc === undefined || !('value' in desc)) return undefined;
  }
  return value as Record<string, unknown>;
}

function typeOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const desc = Object.getOwnPropertyDescriptor(value, 'type');
  return desc !== undefined && 'value' in desc ? desc.value : undefined;
}

/**
 * Validates a message posted by the webview. Returns a fresh object built
 * from checked fields only (never the input itself), or undefined when the
 * message is malformed, of an unknown type, or carries extra keys.
 */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  const type = typeOf(value);
  if (typeof type !== 'string') return undefined;
  const known = type as FromWebview['type'];
  switch (known) {
    case 'ready':
      return plainRecord(value, ['type']) ? { type: 'ready' } : undefined;
    case 'openLink': {
      const record = plainRecord(value, ['type', 'href']);
      if (!record) return undefined;
      const href = checkLinkHref(record['href']);
      return href === undefined ? undefined : { type: 'openLink', href };
    }
    case 'loadRemote':
    case 'trustSender':
      return plainRecord(value, ['type']) ? { type: known } : undefined;
    case 'saveAttachment':
    case 'openAttachment': {
      const record = plainRecord(value, ['type', 'id']);
      const id = record?.['id'];
      // Opaque ids the host made ("a1", "a2", ...): never a path (T37).
      if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
      return { type: known, id };
    }
    case 'openFile': {
      const record = plainRecord(value, ['type', 'ref']);
      const ref = record?.['ref'];
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REF_LENGTH || /[\u0000-\u001f\u007f]/.test(ref)) return undefined;
      return { type: 'openFile', ref };
    }
    case 'command': {
      const record = plainRecord(value, ['type', 'command']);
      const command = record?.['command'];
      if (typeof command !== 'string' || !COMMANDS.has(command)) return undefined;
      return { type: 'command', command: command as MessageCommand };
    }
    default: {
      const unknownType: never = known;
      void unknownType;
      return undefined;
    }
  }
}
