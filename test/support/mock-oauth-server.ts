// A local OAuth 2 authorization server on 127.0.0.1 for tests: the
// authorization endpoint (code flow with PKCE, RFC 7636, approving or
// denying as the test says), the token endpoint (authorization code,
// refresh token and device code grants), the device authorization
// endpoint (RFC 8628), revocation (RFC 7009) and token introspection
// (RFC 7662, which Dovecot's oauth2 passdb calls). The test can expire
// access tokens, revoke refresh tokens and approve device codes, and sees
// every request, so it can assert what a client did and did not send.
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockOAuthOptions {
  /** The only client ID the server knows. */
  readonly clientId?: string;
  /** When set, the token endpoint also requires this client secret. */
  readonly clientSecret?: string;
  /** Who signs in at the authorization endpoint (the `username` introspection reports). */
  readonly user?: string;
  /** Access token lifetime in seconds (default 3600). */
  readonly accessTokenSeconds?: number;
  /** Minimum device polling interval in seconds (default 1; tests pass 0). */
  readonly deviceInterval?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly form: URLSearchParams;
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly scope: string;
}

interface Device {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly scope: string;
  state: 'pending' | 'approved' | 'denied' | 'used';
  readonly expiresAt: number;
  lastPoll: number;
}

/** Bounds what the mock reads, as any server should. */
const MAX_BODY = 64 * 1024;
const ISSUE_BYTES = 300;

const b64url = (b: Buffer): string => b.toString('base64url');

export class MockOAuthServer {
  readonly requests: RecordedRequest[] = [];
  /** Access tokens: token -> expiry (ms). Long, so the POP3 AUTH response passes 255 octets. */
  private readonly access = new Map<string, number>();
  private readonly refresh = new Set<string>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly devices = new Map<string, Device>();
  /** What the authorization endpoint does with the next request. */
  decision: 'approve' | 'deny' = 'approve';
  readonly clientId: string;
  readonly user: string;
  accessTokenSeconds: number;

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
    private readonly options: MockOAuthOptions,
  ) {
    this.clientId = options.clientId ?? 'pop3-mail-test';
    this.user = options.user ?? 'alice';
    this.accessTokenSeconds = options.accessTokenSeconds ?? 3600;
  }

  static async start(options: MockOAuthOptions = {}): Promise<MockOAuthServer> {
    const holder: { self?: MockOAuthServer } = {};
    const server = http.createServer((req, res) => {
      void holder.self!.handle(req, res).catch((err: unknown) => MockOAuthServer.json(res, 500, { error: 'server_error', error_description: String(err) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.self = new MockOAuthServer(server, (server.address() as AddressInfo).port, options);
    return holder.self;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get endpoints(): { authorization: string; token: string; device: string; revocation: string; introspection: string } {
    return {
      authorization: `${this.base}/authorize`,
      token: `${this.base}/token`,
      device: `${this.base}/device`,
      revocation: `${this.base}/revoke`,
      introspection: `${this.base}/introspect`,
    };
  }

  /** Every access token issued so far stops being active. */
  expireAccessTokens(): void {
    for (const token of this.access.keys()) this.access.set(token, 0);
  }

  /** Every refresh token issued so far is revoked (as a user or admin would). */
  revokeRefreshTokens(): void {
    this.refresh.clear();
  }

  /** Approves (or denies) the device code the user typed. */
  decideDevice(userCode: string, decision: 'approved' | 'denied'): void {
    const d = [...this.devices.values()].find((x) => x.userCode === userCode);
    if (!d) throw new Error(`no device code with user code ${userCode}`);
    d.state = decision;
  }

  /** Tokens the test may use directly (e.g. for the CLI) without a flow. */
  issueAccessToken(): string {
    const token = `at.${b64url(randomBytes(ISSUE_BYTES))}`;
    this.access.set(token, Date.now() + this.accessTokenSeconds * 1000);
    return token;
  }

  isActive(token: string): boolean {
    const expiry = this.access.get(token);
    return expiry !== undefined && expiry > Date.now();
  }

  hasRefreshToken(token: string): boolean {
    return this.refresh.has(token);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, form });
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /authorize':
        return this.authorize(url.searchParams, res);
      case 'POST /token':
        return this.token(form, req, res);
      case 'POST /device':
        return this.deviceAuthorization(form, res);
      case 'POST /revoke':
        this.refresh.delete(form.get('token') ?? '');
        this.access.delete(form.get('token') ?? '');
        res.writeHead(200).end();
        return;
      case 'POST /introspect': {
        const token = form.get('token') ?? '';
        return MockOAuthServer.json(res, 200, this.isActive(token) ? { active: true, username: this.user } : { active: false });
      }
      default:
        MockOAuthServer.json(res, 404, { error: 'not_found' });
    }
  }

  private authorize(q: URLSearchParams, res: http.ServerResponse): void {
    const redirect = q.get('redirect_uri') ?? '';
    // RFC 8252: only loopback redirects by IP literal, any port.
    if (!/^http:\/\/127\.0\.0\.1:\d{1,5}\/[\w/-]*$/.test(redirect) || q.get('client_id') !== this.clientId) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad client_id or redirect_uri');
      return;
    }
    const target = new URL(redirect);
    const state = q.get('state');
    if (state !== null) target.searchParams.set('state', state);
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      target.searchParams.set('error', 'invalid_request');
    } else if (this.decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const code = b64url(randomBytes(16));
      this.codes.set(code, { clientId: this.clientId, redirectUri: redirect, challenge, scope: q.get('scope') ?? '' });
      target.searchParams.set('code', code);
    }
    res.writeHead(302, { location: target.toString() }).end();
  }

  private token(form: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): void {
    const fail = (error: string, status = 400): void => MockOAuthServer.json(res, status, { error });
    if (!this.clientOk(form, req)) return fail('invalid_client', 401);
    switch (form.get('grant_type')) {
      case 'authorization_code': {
        const code = this.codes.get(form.get('code') ?? '');
        this.codes.delete(form.get('code') ?? '');
        if (!code || code.redirectUri !== form.get('redirect_uri')) return fail('invalid_grant');
        const verifier = form.get('code_verifier') ?? '';
        // RFC 7636 4.1: 43 to 128 unreserved characters; S256 must match.
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || b64url(createHash('sha256').update(verifier).digest()) !== code.challenge) {
          return fail('invalid_grant');
        }
        return this.issue(res, code.scope);
      }
      case 'refresh_token': {
        const old = form.get('refresh_token') ?? '';
        if (!this.refresh.has(old)) return fail('invalid_grant');
        this.refresh.delete(old); // rotation: the old refresh token is spent
        return this.issue(res, form.get('scope') ?? '');
      }
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        const d = this.devices.get(form.get('device_code') ?? '');
        if (!d || d.state === 'used') return fail('invalid_grant');
        if (Date.now() > d.expiresAt) return fail('expired_token');
        const interval = (this.options.deviceInterval ?? 1) * 1000;
        const tooSoon = Date.now() - d.lastPoll < interval;
        d.lastPoll = Date.now();
        if (d.state === 'denied') return fail('access_denied');
        if (d.state === 'pending') return fail(tooSoon ? 'slow_down' : 'authorization_pending');
        d.state = 'used';
        return this.issue(res, d.scope);
      }
      default:
        return fail('unsupported_grant_type');
    }
  }

  private deviceAuthorization(form: URLSearchParams, res: http.ServerResponse): void {
    if (form.get('client_id') !== this.clientId) return MockOAuthServer.json(res, 401, { error: 'invalid_client' });
    const deviceCode = b64url(randomBytes(24));
    const userCode = `${randomBytes(2).toString('hex').toUpperCase()}-${randomBytes(2).toString('hex').toUpperCase()}`;
    const interval = this.options.deviceInterval ?? 1;
    this.devices.set(deviceCode, { deviceCode, userCode, scope: form.get('scope') ?? '', state: 'pending', expiresAt: Date.now() + 600_000, lastPoll: 0 });
    MockOAuthServer.json(res, 200, {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: `${this.base}/activate`,
      verification_uri_complete: `${this.base}/activate?user_code=${userCode}`,
      expires_in: 600,
      interval,
    });
  }

  private clientOk(form: URLSearchParams, req: http.IncomingMessage): boolean {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [u, p] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    return id === this.clientId && (this.options.clientSecret === undefined || secret === this.options.clientSecret);
  }

  private issue(res: http.ServerResponse, scope: string): void {
    const refreshToken = `rt.${b64url(randomBytes(32))}`;
    this.refresh.add(refreshToken);
    MockOAuthServer.json(res, 200, {
      access_token: this.issueAccessToken(),
      token_type: 'Bearer',
      expires_in: this.accessTokenSeconds,
      refresh_token: refreshToken,
      scope,
    });
  }

  private static json(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new Error('request body too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
