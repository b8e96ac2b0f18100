// The login the raw wire clients share (wire.ts, wire-deleting.ts): the
// greeting, USER, PASS, then every RETR of the mailbox in one write.

import type * as tls from 'node:tls';

/**
 * Logs in once the greeting has come and sends `RETR 1` to `RETR count` in
 * one write; every chunk after that goes to `onData`. A reply other than
 * +OK during the login goes to `onError`.
 */
export function retrieveAll(socket: tls.TLSSocket, user: string, password: string, count: number, onData: (chunk: Buffer) => void, onError: (err: Error) => void): void {
  let stage = 0; // 0 greeting, 1 USER, 2 PASS, 3 RETRs
  socket.on('data', (chunk: Buffer) => {
    if (stage === 3) return onData(chunk);
    if (!chunk.includes('\r\n')) return;
    if (!chunk.toString('latin1').startsWith('+OK')) return onError(new Error(`server said: ${chunk.toString('latin1').trim()}`));
    stage++;
    if (stage === 1) socket.write(`USER ${user}\r\n`);
    else if (stage === 2) socket.write(`PASS ${password}\r\n`);
    else {
      let all = '';
      for (let i = 1; i <= count; i++) all += `RETR ${i}\r\n`;
      socket.write(all);
      if (count === 0) onData(Buffer.alloc(0));
    }
  });
}
