// How messages on this server are told apart: UIDL, or in safe mode a hash of
// the headers (TOP n 0), or of the whole message (T25).

import { createHash } from 'node:crypto';
import type { Pop3Client } from '../pop3/client';
import { Pop3Error } from '../pop3/errors';
import type { IdentityMode, ServerMessage } from './plan';

export interface ServerListing {
  readonly mode: IdentityMode;
  readonly messages: readonly ServerMessage[];
}

/** Hash-based identities carry a prefix no real UIDL of ours starts with. */
export const headersKey = (headers: Buffer): string => `hdr:${createHash('sha256').update(headers).digest('hex')}`;
export const contentKey = (digest: string): string => `msg:${digest}`;

export async function listServer(client: Pop3Client): Promise<ServerListing> {
  // With PIPELINING, LIST and UIDL go out together: one round trip instead of two.
  const pipelined = (await client.capa()).has('PIPELINING');
  const listing = client.listAll();
  const uidlReply = pipelined ? client.uidlAll() : undefined;
  uidlReply?.catch(() => undefined); // awaited below; a failure of LIST first must not leave it unhandled
  const sizes = await listing;
  let uidls: Map<number, string> | undefined;
  try {
    uidls = new Map((await (uidlReply ?? client.uidlAll())).map((u) => [u.n, u.uidl]));
  } catch (err) {
    if (!Pop3Error.is(err, 'ServerPerm')) throw err; // only a plain -ERR means "not supported"
  }
  if (uidls) {
    return { mode: 'uidl', messages: sizes.filter((s) => uidls.has(s.n)).map((s) => ({ n: s.n, uidl: uidls.get(s.n)!, size: s.size })) };
  }
  const messages: ServerMessage[] = [];
  for (const s of sizes) {
    let headers: Buffer;
    try {
      headers = await client.top(s.n, 0);
    } catch (err) {
      if (!Pop3Error.is(err, 'ServerPerm')) throw err;
      return { mode: 'content', messages: sizes.map((x) => ({ n: x.n, uidl: '', size: x.size })) };
    }
    messages.push({ n: s.n, uidl: headersKey(headers), size: s.size });
  }
  return { mode: 'headers', messages };
}
