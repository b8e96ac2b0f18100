// Every `pop3Mail.*` setting with its default: the one table the reads in
// config.ts use. It must match package.json's contributes.configuration
// (test/unit/settings.test.ts checks both ways). Pure: no vscode import.

export const SETTINGS_SECTION = 'pop3Mail';

export const SETTING_DEFAULTS = {
  accounts: [] as unknown[],
  checkInterval: 15,
  checkOnStartup: true,
  notifyNewMail: true,
  markReadOnOpen: true,
  'inbox.groupBy': 'date' as string,
  storageFolder: '',
  'remoteContent.allowedSenders': [] as string[],
  'test.disableSanitizer': false,
  'oauth.microsoft.clientId': '',
  'oauth.microsoft.tenant': 'common',
  'oauth.google.clientId': '',
  'oauth.google.clientSecret': '',
  'oauth.custom.clientId': '',
  'oauth.custom.authorizationEndpoint': '',
  'oauth.custom.tokenEndpoint': '',
  'oauth.custom.deviceEndpoint': '',
  'oauth.custom.revocationEndpoint': '',
  'oauth.custom.scopes': '',
};

export type SettingKey = keyof typeof SETTING_DEFAULTS;
export type SettingValue<K extends SettingKey> = (typeof SETTING_DEFAULTS)[K];

/** `value` when it has the default's type (array, number, boolean, string), else the default. */
export function orDefault<K extends SettingKey>(key: K, value: unknown): SettingValue<K> {
  const fallback = SETTING_DEFAULTS[key];
  if (Array.isArray(fallback)) return (Array.isArray(value) ? value : fallback) as SettingValue<K>;
  if (typeof fallback === 'number') return (typeof value === 'number' && Number.isFinite(value) ? value : fallback) as SettingValue<K>;
  return (typeof value === typeof fallback ? value : fallback) as SettingValue<K>;
}

/** How the Inbox lists mail (`pop3Mail.inbox.groupBy`). */
export type InboxGrouping = 'date' | 'conversation';

/** The grouping a setting's value asks for; anything unknown is the default, date groups. */
export function inboxGrouping(value: unknown): InboxGrouping {
  return value === 'conversation' ? 'conversation' : 'date';
}
