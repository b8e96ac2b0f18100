// From the pop3Mail.oauth.* settings to the client configuration the OAuth
// core signs in with, and the login method Add Account proposes for what
// discovery found. Pure: no vscode import, so unit tests can load it.
import type { DiscoveredSettings } from '../../autoconfig/discover';
import type { ClientConfig } from '../../oauth/flows';
import { checkEndpoint, custom, google, microsoft, type OAuthProvider } from '../../oauth/providers';
import type { OAuthLogin } from '../../sync/account';
import { l10n } from '../common/l10n';
import type { SettingKey } from '../common/settings';

export type LoginMethod = 'password' | OAuthLogin;

/** Where the README explains app registration: the setup messages point there. */
export const README_REGISTRATION = 'README.md#registering-an-app';

/** Reads one setting (a string; anything else counts as unset). */
export type ReadSetting = (key: SettingKey) => unknown;

export type ConfigResult = { readonly config: ClientConfig } | { readonly problem: string; readonly setting: SettingKey };

const text = (read: ReadSetting, key: SettingKey): string => {
  const v = read(key);
  return typeof v === 'string' ? v.trim() : '';
};

/** What each login method is called in messages. */
export function loginLabel(login: LoginMethod): string {
  switch (login) {
    case 'microsoft':
      return l10n.t('Sign in with Microsoft');
    case 'google':
      return l10n.t('Sign in with Google');
    case 'custom':
      return l10n.t('Custom OAuth2');
    default:
      return l10n.t('Password');
  }
}

function missingClientId(login: OAuthLogin, key: SettingKey): ConfigResult {
  const where = login === 'custom' ? l10n.t('the client ID your provider gave you') : l10n.t('the client ID of your own app registration (README, "Registering an app")');
  return { problem: l10n.t('{0} needs {1} in the setting pop3Mail.{2}.', loginLabel(login), where, key), setting: key };
}

/**
 * The client configuration for an OAuth login from the settings, or the
 * problem to show (with the setting to open). Endpoints other than https
 * (or http on a loopback address) are refused: a code or token must never
 * cross a network in clear text.
 */
export function clientConfigFor(login: OAuthLogin, read: ReadSetting): ConfigResult {
  let provider: OAuthProvider;
  let clientId: string;
  let clientSecret: string | undefined;
  const clientKey: SettingKey = login === 'microsoft' ? 'oauth.microsoft.clientId' : login === 'google' ? 'oauth.google.clientId' : 'oauth.custom.clientId';
  let key: SettingKey = clientKey;
  try {
    switch (login) {
      case 'microsoft':
        clientId = text(read, clientKey);
        if (clientId === '') return missingClientId(login, clientKey);
        key = 'oauth.microsoft.tenant';
        provider = microsoft(text(read, key) || 'common');
        break;
      case 'google':
        clientId = text(read, clientKey);
        if (clientId === '') return missingClientId(login, clientKey);
        provider = google();
        clientSecret = text(read, 'oauth.google.clientSecret') || undefined;
        break;
      case 'custom': {
        clientId = text(read, clientKey);
        if (clientId === '') return missingClientId(login, clientKey);
        const authorization = text(read, 'oauth.custom.authorizationEndpoint');
        const token = text(read, 'oauth.custom.tokenEndpoint');
        key = authorization === '' ? 'oauth.custom.authorizationEndpoint' : 'oauth.custom.tokenEndpoint';
        if (authorization === '' || token === '') return { problem: l10n.t('Custom OAuth2 needs the provider\'s endpoints in the setting pop3Mail.{0}.', key), setting: key };
        const device = text(read, 'oauth.custom.deviceEndpoint');
        const revocation = text(read, 'oauth.custom.revocationEndpoint');
        // Checked one by one, so the message can open the setting at fault.
        const endpoints: [SettingKey, string, string][] = [
          ['oauth.custom.authorizationEndpoint', 'authorization', authorization],
          ['oauth.custom.tokenEndpoint', 'token', token],
          ['oauth.custom.deviceEndpoint', 'device', device],
          ['oauth.custom.revocationEndpoint', 'revocation', revocation],
        ];
        for (const [k, name, value] of endpoints) {
          key = k;
          if (value !== '') checkEndpoint(name, value);
        }
        key = 'oauth.custom.scopes';
        provider = custom({
          authorization,
          token,
          device: device || undefined,
          revocation: revocation || undefined,
          scopes: text(read, key),
        });
        break;
      }
    }
  } catch (err) {
    return { problem: l10n.t('{0}: {1} (check the pop3Mail.oauth settings).', loginLabel(login), (err as Error).message), setting: key };
  }
  if (/[\s\0]/.test(clientId) || clientId.length > 500) return { problem: l10n.t('The client ID in pop3Mail.{0} is not valid.', clientKey), setting: clientKey };
  return { config: { provider, clientId, ...(clientSecret !== undefined ? { clientSecret } : {}) } };
}

/**
 * The login method Add Account proposes for what discovery found: the
 * provider's own sign-in for Microsoft and Google mail (by preset or by the
 * server's host name), Custom OAuth2 for a document that offers only
 * OAuth2, else a password.
 */
export function proposedLogin(found: Pick<DiscoveredSettings, 'host' | 'login' | 'oauthProvider'> | undefined): LoginMethod {
  if (!found) return 'password';
  if (found.oauthProvider) return found.oauthProvider;
  const host = found.host.toLowerCase();
  if (host === 'outlook.office365.com' || host.endsWith('.outlook.com') || host === 'outlook.com' || host.endsWith('.office365.com')) return 'microsoft';
  if (host === 'pop.gmail.com' || host.endsWith('.gmail.com') || host.endsWith('.googlemail.com')) return 'google';
  return found.login === 'oauth' ? 'custom' : 'password';
}

