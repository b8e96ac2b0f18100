// A small HTTPS GET for autoconfig documents: HTTPS only, no redirects
// followed (a redirect could lead to plain HTTP or elsewhere), a size cap
// enforced while reading, and a deadline. The CA is injectable so tests can
// serve documents from a local HTTPS server.
import * as https from 'node:https';

export type GetText = (url: string) => Promise<{ status: number; text: string }>;

export class FetchRefused extends Error {
  override readonly name = 'FetchRefused';
}

export interface HttpsGetOptions {
  /** Trusted in addition to nothing: with `ca`, only it (tests). */
  readonly ca?: string | Buffer;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** Connects here instead of resolving the URL's host (tests point a real name at 127.0.0.1). */
  readonly lookupAddress?: string;
  /** Connects to this port instead of 443 (tests). */
  readonly connectPort?: number;
}

/** A real autoconfig document is a few kilobytes. */
export const MAX_DOCUMENT = 100 * 1024;

export function httpsGetter(options: HttpsGetOptions = {}): GetText {
  const max = options.maxBytes ?? MAX_DOCUMENT;
  return (url) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'https:') {
        reject(new FetchRefused(`${url} is not HTTPS; settings are fetched over HTTPS only.`));
        return;
      }
      const lookupAddress = options.lookupAddress;
      const req = https.get(
        u,
        {
          ca: options.ca,
          port: options.connectPort,
          timeout: options.timeoutMs ?? 10_000,
          headers: { accept: 'application/xml, text/xml' },
          lookup: lookupAddress ? (_h, o, cb) => (o.all ? cb(null, [{ address: lookupAddress, family: 4 }] as never) : cb(null, lookupAddress, 4)) : undefined,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            res.destroy();
            reject(new FetchRefused(`${u.host} redirects the settings request; redirects are not followed.`));
            return;
          }
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > max) {
            res.destroy();
            reject(new FetchRefused(`The settings document at ${u.host} is larger than ${max} bytes; refused.`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              res.destroy();
              reject(new FetchRefused(`The settings document at ${u.host} is larger than ${max} bytes; refused.`));
            } else chunks.push(c);
          });
          res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new FetchRefused(`${u.host} did not answer in time.`)));
      req.on('error', reject);
    });
}
