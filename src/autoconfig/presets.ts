// Built-in POP3 settings for the big providers, by e-mail domain. These win
// over DNS and autoconfig documents: they are known, and cannot be spoofed
// from the network. Hosts and ports are the providers' published ones.

export type LoginKind = 'password' | 'oauth';

export interface ProviderPreset {
  readonly name: string;
  readonly domains: readonly string[];
  /** Undefined when the provider has no POP at all. */
  readonly pop?: { readonly host: string; readonly port: number; readonly security: 'tls' | 'starttls' };
  readonly login: LoginKind;
  readonly oauthProvider?: 'microsoft' | 'google';
  /** What the user should know (shown with the result). */
  readonly notes: readonly string[];
}

const APP_PASSWORD = 'This provider takes an app password for POP (create one in its account security settings), and POP may have to be enabled there first.';

export const PRESETS: readonly ProviderPreset[] = [
  {
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    pop: { host: 'pop.gmail.com', port: 995, security: 'tls' },
    login: 'oauth',
    oauthProvider: 'google',
    notes: [
      'Enable POP in Gmail (Settings, Forwarding and POP/IMAP). Gmail then lists each message only until a POP session has downloaded it; this extension fetches the new mail every time.',
      'Gmail\'s "When messages are accessed with POP" setting decides what happens to Gmail\'s copy after a download (keep, mark read, archive or delete), whatever this account\'s own policy says.',
      'To see mail again that another POP client already downloaded, use "recent:" before your address as the user name (recent mode lists the last 30 days); messages already stored here are not downloaded twice.',
      'Consumer Gmail accounts can use an app password instead of signing in with Google.',
    ],
  },
  {
    name: 'Microsoft (Outlook.com, Hotmail, Live, Microsoft 365)',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com', 'outlook.de', 'outlook.fr', 'hotmail.co.uk', 'hotmail.de', 'hotmail.fr', 'hotmail.it', 'live.co.uk', 'live.de', 'live.fr'],
    pop: { host: 'outlook.office365.com', port: 995, security: 'tls' },
    login: 'oauth',
    oauthProvider: 'microsoft',
    notes: ['Microsoft has turned password logins off for POP: sign in with Microsoft. POP may have to be enabled in Outlook.com settings (Mail, Forwarding and IMAP) or by the Microsoft 365 administrator.'],
  },
  { name: 'Yahoo', domains: ['yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.de', 'yahoo.fr'], pop: { host: 'pop.mail.yahoo.com', port: 995, security: 'tls' }, login: 'password', notes: [APP_PASSWORD] },
  { name: 'AOL', domains: ['aol.com', 'aim.com'], pop: { host: 'pop.aol.com', port: 995, security: 'tls' }, login: 'password', notes: [APP_PASSWORD] },
  { name: 'GMX', domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch'], pop: { host: 'pop.gmx.net', port: 995, security: 'tls' }, login: 'password', notes: ['Enable POP3 in the GMX web mail settings first.'] },
  { name: 'GMX (international)', domains: ['gmx.com', 'gmx.us', 'gmx.co.uk'], pop: { host: 'pop.gmx.com', port: 995, security: 'tls' }, login: 'password', notes: ['Enable POP3 in the GMX web mail settings first.'] },
  { name: 'WEB.DE', domains: ['web.de'], pop: { host: 'pop3.web.de', port: 995, security: 'tls' }, login: 'password', notes: ['Enable POP3 in the WEB.DE web mail settings first.'] },
  { name: 'Mail.ru', domains: ['mail.ru', 'inbox.ru', 'list.ru', 'bk.ru', 'internet.ru'], pop: { host: 'pop.mail.ru', port: 995, security: 'tls' }, login: 'password', notes: [APP_PASSWORD] },
  { name: 'Yandex', domains: ['yandex.ru', 'yandex.com', 'ya.ru', 'yandex.by', 'yandex.kz'], pop: { host: 'pop.yandex.com', port: 995, security: 'tls' }, login: 'password', notes: [APP_PASSWORD] },
  { name: 'Zoho', domains: ['zoho.com', 'zohomail.com'], pop: { host: 'pop.zoho.com', port: 995, security: 'tls' }, login: 'password', notes: ['Enable POP access in Zoho Mail settings first; with two-factor sign-in, use an app-specific password.'] },
  {
    name: 'iCloud',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    login: 'password',
    notes: ['iCloud Mail offers IMAP only, no POP3: this extension cannot fetch from it.'],
  },
];

export function presetFor(domain: string): ProviderPreset | undefined {
  const d = domain.toLowerCase();
  return PRESETS.find((p) => p.domains.includes(d));
}
