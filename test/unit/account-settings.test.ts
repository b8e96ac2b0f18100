import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countProblem, defaultPort, describeRetention, parseAccounts, toSettingEntry } from '../../src/vscode/accounts/account-settings';

const base = { host: 'pop.example.com', port: 995, user: 'alice', security: 'tls' };

test('account policies: parsed from the setting, KB to bytes, round trip through toSettingEntry', () => {
  const raw = [{ ...base, name: 'Work', deleteAfterDays: 14, deleteWhenDeletedLocally: true, maxMessageSizeKB: 512, newestOnFirstSync: 100 }];
  const { entries, problems } = parseAccounts(raw);
  assert.deepEqual(problems, []);
  assert.deepEqual(entries[0]!.policy, {
    retention: { deleteAfterDays: 14, deleteWhenDeletedLocally: true },
    download: { maxMessageSize: 512 * 1024, newestOnFirstSync: 100 },
  });
  assert.deepEqual(toSettingEntry(entries[0]!.account, entries[0]!.policy), raw[0]);
  assert.deepEqual(parseAccounts([base]).entries[0]!.policy, { retention: {}, download: {} }, 'no policy: leave everything on the server');
});

test('per-account checks: interval and notification overrides parsed, kept on a round trip, absent when unset', () => {
  const raw = [{ ...base, name: 'News', checkInterval: 0, notifyNewMail: false }, { ...base, user: 'bob', name: 'Work', checkInterval: 5 }];
  const { entries, problems } = parseAccounts(raw);
  assert.deepEqual(problems, []);
  assert.deepEqual(entries[0]!.policy.checks, { checkInterval: 0, notifyNewMail: false });
  assert.deepEqual(entries[1]!.policy.checks, { checkInterval: 5 });
  assert.deepEqual(entries.map((e) => toSettingEntry(e.account, e.policy)), raw);
  assert.equal(parseAccounts([base]).entries[0]!.policy.checks, undefined, 'the global settings apply');
  const bad = parseAccounts([{ ...base, checkInterval: -1 }, { ...base, checkInterval: 'often' }, { ...base, checkInterval: 5000 }, { ...base, notifyNewMail: 'yes' }]);
  assert.equal(bad.entries.length, 0);
  assert.deepEqual(bad.problems, [
    'pop3Mail.accounts[0] skipped: "checkInterval" must be a number of minutes from 0 to 1440',
    'pop3Mail.accounts[1] skipped: "checkInterval" must be a number of minutes from 0 to 1440',
    'pop3Mail.accounts[2] skipped: "checkInterval" must be a number of minutes from 0 to 1440',
    'pop3Mail.accounts[3] skipped: "notifyNewMail" must be true or false',
  ]);
});

test('account policies: invalid values skip the entry with a clear message', () => {
  const { entries, problems } = parseAccounts([
    { ...base, deleteAfterDays: 0 },
    { ...base, deleteAfterDownload: 'yes' },
    { ...base, maxMessageSizeKB: 1.5 },
    { ...base, port: 70000 },
  ]);
  assert.equal(entries.length, 0);
  assert.deepEqual(problems, [
    'pop3Mail.accounts[0] skipped: "deleteAfterDays" must be a whole number from 1 to 36500',
    'pop3Mail.accounts[1] skipped: "deleteAfterDownload" must be true or false',
    'pop3Mail.accounts[2] skipped: "maxMessageSizeKB" must be a whole number from 1 to 4194304',
    'pop3Mail.accounts[3] skipped: invalid "port"',
  ]);
});

test('wizard helpers: default ports, counts, what a policy does', () => {
  assert.equal(defaultPort('tls'), 995);
  assert.equal(defaultPort('starttls'), 110);
  assert.equal(countProblem('', 'days'), undefined);
  assert.match(countProblem('', 'days', 1, 10, false)!, /whole number from 1 to 10/);
  assert.match(countProblem('0', 'days')!, /whole number/);
  assert.match(countProblem('12x', 'days')!, /whole number/);
  assert.equal(countProblem(' 7 ', 'days'), undefined);
  assert.equal(describeRetention({}), 'left on the server');
  assert.equal(describeRetention({ deleteAfterDays: 7 }), 'deleted from the server 7 days after download');
  assert.equal(describeRetention({ deleteWhenDeletedLocally: true }), 'deleted from the server when deleted here');
});

test('login method: absent or "password" is a password account; an OAuth login defaults to XOAUTH2 and round-trips', () => {
  const { entries, problems } = parseAccounts([base, { ...base, user: 'b', login: 'password' }, { ...base, user: 'c', login: 'microsoft' }, { ...base, user: 'd', login: 'custom', auth: 'oauthbearer' }]);
  assert.deepEqual(problems, []);
  assert.equal(entries[0]!.account.login, undefined);
  assert.equal(entries[1]!.account.login, undefined);
  assert.equal(entries[2]!.account.login, 'microsoft');
  assert.equal(entries[2]!.account.auth, 'xoauth2');
  assert.equal(entries[3]!.account.auth, 'oauthbearer');
  const out = entries.map((e) => toSettingEntry(e.account, e.policy));
  assert.equal(out[0]!['login'], undefined);
  assert.equal(out[2]!['login'], 'microsoft');
  assert.equal(out[2]!['auth'], undefined, 'the default mechanism is not written');
  assert.equal(out[3]!['auth'], 'oauthbearer');
  assert.deepEqual(parseAccounts(out).entries.map((e) => e.account), entries.map((e) => e.account));
  // Nothing secret in the entry: the sign-in lives in SecretStorage.
  assert.deepEqual(Object.keys(out[2]!).sort(), ['host', 'login', 'name', 'port', 'security', 'user']);
});

test('login method: an unknown login, or a password mechanism with a sign-in (and the reverse), skips the entry', () => {
  const { entries, problems } = parseAccounts([
    { ...base, login: 'facebook' },
    { ...base, login: 'google', auth: 'plain' },
    { ...base, auth: 'xoauth2' },
  ]);
  assert.equal(entries.length, 0);
  assert.match(problems[0]!, /"login" must be one of password, microsoft, google, custom/);
  assert.match(problems[1]!, /"auth" must be one of xoauth2, oauthbearer/);
  assert.match(problems[2]!, /"auth" must be one of auto, user/);
});
