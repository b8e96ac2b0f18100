// Account settings from an e-mail address, in order of trust: the built-in
// presets, RFC 6186 SRV records, then the autoconfig documents other mail
// clients read (HTTPS only). The result says where each value came from, and
// why a candidate was refused, so the user can judge and change everything.
import { Resolver } from 'node:dns/promises';
import { FetchRefused, httpsGetter, type GetText } from './https-get';
import { presetFor, type LoginKind } from './presets';
import { parseAutoconfig, XmlError, type XmlPopServer } from './xml';

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface DiscoverOptions {
  /** DNS SRV lookup; the default asks the system's resolvers, briefly. `null`: no DNS lookup. */
  readonly resolveSrv?: ((name: string) => Promise<SrvRecord[]>) | null;
  /** HTTPS GET (httpsGetter() in production; tests inject a CA). */
  readonly get?: GetText;
}

export interface DiscoveredSettings {
  readonly host: string;
  readonly port: number;
  readonly security: 'tls' | 'starttls';
  readonly user: string;
  readonly login: LoginKind;
  readonly oauthProvider?: 'microsoft' | 'google';
}

export interface DiscoveryResult {
  readonly settings?: DiscoveredSettings;
  /** For each field: "built-in preset (Gmail)", "DNS SRV _pop3s._tcp.example.com", "https://...", or "your e-mail address". */
  readonly sources: Partial<Record<keyof DiscoveredSettings, string>>;
  readonly notes: readonly string[];
  /** Candidates that were looked at and refused, with the reason. */
  readonly refused: readonly string[];
  /** The provider has no POP (e.g. iCloud). */
  readonly noPop?: boolean;
}

const HOSTNAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Splits and checks the address; throws with a message for the user. */
export function mailDomain(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (at <= 0 || !HOSTNAME.test(domain) || /[\s\0]/.test(local) || local.length > 64) throw new Error(`"${address}" is not an e-mail address.`);
  return { local, domain };
}

export async function discover(address: string, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const { local, domain } = mailDomain(address);
  const refused: string[] = [];
  const preset = presetFor(domain);
  if (preset) {
    const from = `built-in preset (${preset.name})`;
    if (!preset.pop) return { sources: {}, notes: preset.notes, refused, noPop: true };
    const settings: DiscoveredSettings = { ...preset.pop, user: address, login: preset.login, oauthProvider: preset.oauthProvider };
    return { settings, sources: { host: from, port: from, security: from, login: from, oauthProvider: from, user: 'your e-mail address' }, notes: preset.notes, refused };
  }

  const resolveSrv = options.resolveSrv === undefined ? systemSrv() : options.resolveSrv;
  if (resolveSrv) {
    for (const [service, security] of [['_pop3s._tcp', 'tls'], ['_pop3._tcp', 'starttls']] as const) {
      const name = `${service}.${domain}`;
      let records: SrvRecord[];
      try {
        records = await resolveSrv(name);
      } catch {
        continue; // no record is the common case
      }
      const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
      // RFC 6186 section 3.4 (RFC 2782): a target of "." says the service is not offered.
      if (!best || best.name === '' || best.name === '.') continue;
      const host = best.name.replace(/\.$/, '');
      if (!HOSTNAME.test(host) || best.port < 1 || best.port > 65535) {
        refused.push(`DNS ${name} names an invalid server (${host.slice(0, 100)}:${best.port}).`);
        continue;
      }
      const from = `DNS SRV ${name} (not signed: check that this is your provider's server)`;
      return {
        settings: { host, port: best.port, security, user: address, login: 'password' },
        sources: { host: from, port: from, security: from, user: 'your e-mail address', login: 'default (password)' },
        notes: [],
        refused,
      };
    }
  }

  const get = options.get ?? httpsGetter();
  for (const url of [`https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`, `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`]) {
    const query = url.indexOf('?');
    const shown = query === -1 ? url : url.slice(0, query);
    let text: string;
    try {
      const res = await get(url);
      if (res.status !== 200) continue;
      text = res.text;
    } catch (err) {
      if (err instanceof FetchRefused) refused.push(err.message);
      continue; // unreachable: the common case for domains without a document
    }
    let servers: XmlPopServer[];
    try {
      servers = parseAutoconfig(text).pop;
    } catch (err) {
      refused.push(`The settings document at ${shown} is not valid (${err instanceof XmlError ? err.message : 'unreadable'}); refused.`);
      continue;
    }
    for (const s of servers) {
      const checked = checkServer(s, domain, shown);
      if (typeof checked === 'string') {
        refused.push(checked);
        continue;
      }
      const user = s.username === '%EMAILLOCALPART%' ? local : address;
      const login: LoginKind = s.authentication.some((a) => a === 'OAuth2') && !s.authentication.some((a) => a.startsWith('password')) ? 'oauth' : 'password';
      return {
        settings: { ...checked, user, login },
        sources: { host: shown, port: shown, security: shown, user: shown, login: shown },
        notes: [],
        refused,
      };
    }
  }
  return { sources: {}, notes: ['No settings were found for this domain; enter the server your provider documents.'], refused };
}

/** A lookup that gives up after a few seconds: an address typed into a form must not hang it. */
function systemSrv(): (name: string) => Promise<SrvRecord[]> {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  return (name) => resolver.resolveSrv(name);
}

/** One POP server of a document, or why it is refused. */
function checkServer(s: XmlPopServer, domain: string, shown: string): Pick<DiscoveredSettings, 'host' | 'port' | 'security'> | string {
  const host = (s.hostname ?? '').toLowerCase();
  const port = Number(s.port);
  if (!HOSTNAME.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) return `The settings document at ${shown} names an invalid POP server; refused.`;
  // A document served for one domain naming another domain's server could
  // send the password anywhere: only the mail domain and its subdomains.
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    return `The settings document at ${shown} names a server in another domain (${host}); refused. Enter it yourself if your provider documents it.`;
  }
  if (s.socketType === 'SSL') return { host, port, security: 'tls' };
  if (s.socketType === 'STARTTLS') return { host, port, security: 'starttls' };
  return `The settings document at ${shown} offers only an unencrypted POP server (${host}:${port}); refused.`;
}
