import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientConfigFor, proposedLogin, README_REGISTRATION } from '../../src/vscode/accounts/oauth-config';
import type { SettingKey } from '../../src/vscode/common/settings';
import { discover } from '../../src/autoconfig/discover';

const reader =
  (values: Partial<Record<SettingKey, unknown>>) =>
  (key: SettingKey): unknown =>
    values[key];

const CUSTOM = {
  'oauth.custom.clientId': 'client-1',
  'oauth.custom.authorizationEndpoint': 'https://id.example.net/authorize',
  'oauth.custom.tokenEndpoint': 'https://id.example.net/token',
  'oauth.custom.deviceEndpoint': 'http://127.0.0.1:8080/device',
  'oauth.custom.scopes': 'mail offline_access',
} satisfies Partial<Record<SettingKey, unknown>>;

test('Microsoft: the client ID and tenant become the provider endpoints', () => {
  const r = clientConfigFor('microsoft', reader({ 'oauth.microsoft.clientId': ' abc-123 ', 'oauth.microsoft.tenant': 'contoso.onmicrosoft.com' }));
  assert.ok('config' in r, JSON.stringify(r));
  assert.equal(r.config.clientId, 'abc-123');
  assert.equal(r.config.provider.endpoints.token, 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
  assert.equal(r.config.clientSecret, undefined);
});

test('Microsoft: an empty tenant means common; a tenant that is no name is refused', () => {
  const r = clientConfigFor('microsoft', reader({ 'oauth.microsoft.clientId': 'abc', 'oauth.microsoft.tenant': '' }));
  assert.ok('config' in r);
  assert.match(r.config.provider.endpoints.authorization, /\/common\/oauth2\/v2\.0\/authorize$/);
  const bad = clientConfigFor('microsoft', reader({ 'oauth.microsoft.clientId': 'abc', 'oauth.microsoft.tenant': 'x/../evil' }));
  assert.ok('problem' in bad);
  assert.equal(bad.setting, 'oauth.microsoft.tenant');
});

test('a missing client ID is a clear message that points to the README registration walkthrough', () => {
  for (const login of ['microsoft', 'google'] as const) {
    const r = clientConfigFor(login, reader({}));
    assert.ok('problem' in r);
    assert.equal(r.setting, `oauth.${login}.clientId`);
    assert.match(r.problem, /client ID/);
    assert.match(r.problem, /README, "Registering an app"/);
    assert.match(r.problem, new RegExp(`pop3Mail\\.oauth\\.${login}\\.clientId`));
  }
  const c = clientConfigFor('custom', reader({ ...CUSTOM, 'oauth.custom.clientId': '   ' }));
  assert.ok('problem' in c);
  assert.equal(c.setting, 'oauth.custom.clientId');
  assert.match(README_REGISTRATION, /^README\.md#registering-an-app$/);
});

test('Google: the installed-app secret goes along, and Google has no device endpoint', () => {
  const r = clientConfigFor('google', reader({ 'oauth.google.clientId': 'g-1.apps.googleusercontent.com', 'oauth.google.clientSecret': 'GOCSPX-abc' }));
  assert.ok('config' in r);
  assert.equal(r.config.clientSecret, 'GOCSPX-abc');
  assert.equal(r.config.provider.endpoints.device, undefined);
  assert.deepEqual(r.config.provider.scopes, ['https://mail.google.com/']);
});

test('custom: https endpoints, or http on loopback, are accepted', () => {
  const r = clientConfigFor('custom', reader(CUSTOM));
  assert.ok('config' in r, JSON.stringify(r));
  assert.equal(r.config.provider.endpoints.device, 'http://127.0.0.1:8080/device');
  assert.deepEqual(r.config.provider.scopes, ['mail', 'offline_access']);
});

test('custom: a plain-http endpoint off loopback is refused, naming the setting at fault', () => {
  for (const [key, value] of [
    ['oauth.custom.tokenEndpoint', 'http://id.example.net/token'],
    ['oauth.custom.authorizationEndpoint', 'http://10.0.0.5/authorize'],
    ['oauth.custom.deviceEndpoint', 'ftp://id.example.net/device'],
    ['oauth.custom.revocationEndpoint', 'http://localhost.example.net/revoke'],
  ] as const) {
    const r = clientConfigFor('custom', reader({ ...CUSTOM, [key]: value }));
    assert.ok('problem' in r, `${key}=${value} must be refused`);
    assert.equal(r.setting, key);
    assert.match(r.problem, /https:\/\//);
  }
});

test('custom: missing endpoints or scopes, or a client ID with spaces, are refused', () => {
  const noToken = clientConfigFor('custom', reader({ ...CUSTOM, 'oauth.custom.tokenEndpoint': '' }));
  assert.ok('problem' in noToken);
  assert.equal(noToken.setting, 'oauth.custom.tokenEndpoint');
  const noScopes = clientConfigFor('custom', reader({ ...CUSTOM, 'oauth.custom.scopes': '' }));
  assert.ok('problem' in noScopes);
  assert.equal(noScopes.setting, 'oauth.custom.scopes');
  const spaced = clientConfigFor('custom', reader({ ...CUSTOM, 'oauth.custom.clientId': 'a b' }));
  assert.ok('problem' in spaced);
  const notString = clientConfigFor('custom', reader({ ...CUSTOM, 'oauth.custom.clientId': 42 }));
  assert.ok('problem' in notString);
});

test('login proposed from discovery: Microsoft for Outlook/Office 365, Google for Gmail, else password', async () => {
  const offline = { resolveSrv: null, get: async () => ({ status: 404, text: '' }) };
  assert.equal(proposedLogin((await discover('me@outlook.com', offline)).settings), 'microsoft');
  assert.equal(proposedLogin((await discover('me@hotmail.co.uk', offline)).settings), 'microsoft');
  assert.equal(proposedLogin((await discover('me@gmail.com', offline)).settings), 'google');
  assert.equal(proposedLogin((await discover('me@yahoo.com', offline)).settings), 'password');
  assert.equal(proposedLogin((await discover('me@nowhere.example', offline)).settings), 'password');
  // An organisation's own domain whose SRV record points at Microsoft 365.
  const srv = { resolveSrv: async (name: string) => (name.startsWith('_pop3s.') ? [{ name: 'outlook.office365.com', port: 995, priority: 0, weight: 0 }] : []), get: offline.get };
  assert.equal(proposedLogin((await discover('me@contoso.example', srv)).settings), 'microsoft');
  assert.equal(proposedLogin({ host: 'pop.gmail.com', login: 'password' }), 'google');
  assert.equal(proposedLogin({ host: 'mail.example.org', login: 'oauth' }), 'custom');
  assert.equal(proposedLogin(undefined), 'password');
});
