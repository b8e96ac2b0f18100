// XOAUTH2 and OAUTHBEARER against a real Dovecot whose oauth2 passdb asks
// the test's mock authorization server (test/support/mock-oauth-server.ts)
// whether a bearer token is active (RFC 7662 introspection on loopback).
// Both forms of the AUTH exchange, a refused token with the failure
// exchange each mechanism prescribes, and an expired token then a new one.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { InitialResponseForm } from '../../src/pop3/auth/types';
import { Pop3Client } from '../../src/pop3/client';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { MockOAuthServer } from '../support/mock-oauth-server';

let dovecot: Dovecot;
let auth: MockOAuthServer;

before(async () => {
  auth = await MockOAuthServer.start({ user: 'alice' });
  dovecot = await startDovecot({ mechanisms: ['plain'], oauth2IntrospectionUrl: auth.endpoints.introspection });
  dovecot.deliver('alice', 'From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n');
});

after(async () => {
  await dovecot?.stop();
  await auth?.close();
});

async function login(method: 'xoauth2' | 'oauthbearer', token: string, form?: InitialResponseForm): Promise<{ trace: string[]; count: number }> {
  const trace: string[] = [];
  const client = await Pop3Client.connect({
    host: 'localhost',
    port: dovecot.pop3sPort,
    ca: fs.readFileSync(dovecot.caFile),
    trace: (d, t) => trace.push(`${d} ${t}`),
    limits: { idleTimeoutMs: 10_000 },
  });
  try {
    await client.authenticate({ user: 'alice', token }, method, { initialResponse: form });
    const { count } = await client.stat();
    await client.quit();
    return { trace, count };
  } catch (err) {
    client.close();
    Object.assign(err as object, { trace });
    throw err;
  }
}

const noToken = (trace: string[], token: string): void => {
  const text = trace.join('\n');
  assert.ok(!text.includes(token) && !text.includes(token.slice(3, 40)), 'the token reached the trace');
};

for (const method of ['xoauth2', 'oauthbearer'] as const) {
  describe(`${method} against Dovecot's oauth2 passdb`, () => {
    for (const form of ['separate', 'inline'] as const) {
      test(`an active token logs in (${form} form) and the token is not in the trace`, async () => {
        const token = auth.issueAccessToken();
        const before = auth.requestsTo('/introspect').length;
        const { trace, count } = await login(method, token, form);
        assert.equal(count, 1);
        assert.ok(auth.requestsTo('/introspect').slice(before).some((r) => r.form.get('token') === token), 'Dovecot asked the introspection endpoint about our token');
        assert.ok(trace.includes(form === 'separate' ? `C AUTH ${method.toUpperCase()}` : `C AUTH ${method.toUpperCase()} ********`), trace.join('\n'));
        noToken(trace, token);
      });
    }

    test('the default is the two-line form', async () => {
      const { trace } = await login(method, auth.issueAccessToken());
      assert.ok(trace.includes(`C AUTH ${method.toUpperCase()}`), trace.join('\n'));
    });

    test('an unknown token: the failure exchange ends as AuthFailed with the JSON status, no hang', async () => {
      const token = `at.never-issued-${'x'.repeat(200)}`;
      const started = Date.now();
      await assert.rejects(login(method, token), (err: Error & { code?: string; trace?: string[] }) => {
        assert.equal(err.code, 'AuthFailed');
        assert.match(err.message, method === 'xoauth2' ? /status: 401/ : /status: invalid_token/);
        // The client's answer to the error challenge: empty for XOAUTH2, %x01 for OAUTHBEARER.
        const answers = (err.trace ?? []).filter((l) => l === 'C ********');
        assert.equal(answers.length, 2, (err.trace ?? []).join('\n'));
        noToken(err.trace ?? [], token);
        return true;
      });
      assert.ok(Date.now() - started < 8000, 'the refusal came without waiting for a timeout');
    });

    test('an expired token is refused; a fresh one logs in again', async () => {
      const token = auth.issueAccessToken();
      await login(method, token);
      auth.expireAccessTokens();
      await assert.rejects(login(method, token), { code: 'AuthFailed' });
      const { count } = await login(method, auth.issueAccessToken());
      assert.equal(count, 1);
    });
  });
}
