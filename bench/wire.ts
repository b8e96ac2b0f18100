// The raw lower bound: one TLS connection, USER/PASS, every RETR pipelined in
// one write, the replies read to the end and thrown away. What the server and
// TLS alone cost; no framing beyond counting terminators, no storage.
//
//   node wire.js <host> <port> <user> <count> <ca-file>   (password in POP3_PASSWORD)

import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { retrieveAll } from './wire-session';

const [host = 'localhost', port = '995', user = 'bench', countText = '0', caFile] = process.argv.slice(2);
const count = Number(countText);
const password = process.env['POP3_PASSWORD'] ?? '';
const TERMINATOR = Buffer.from('\r\n.\r\n');

const socket = tls.connect({ host, port: Number(port), servername: host, ca: caFile ? fs.readFileSync(caFile) : undefined, minVersion: 'TLSv1.2' });
let seen = 0;
let tail = Buffer.alloc(0);
let bytes = 0;
retrieveAll(socket, user, password, count, (chunk) => {
  bytes += chunk.length;
  // Count "\r\n.\r\n" (only a terminator can look like that: body dots are stuffed), across chunk edges.
  const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
  let at = buf.indexOf(TERMINATOR);
  while (at !== -1) {
    seen++;
    at = buf.indexOf(TERMINATOR, at + TERMINATOR.length - 2);
  }
  tail = Buffer.from(buf.subarray(Math.max(0, buf.length - 4)));
  if (seen >= count) {
    socket.end('QUIT\r\n');
    seen = -Infinity;
  }
}, (err) => {
  throw err;
});
socket.on('close', () => {
  process.stdout.write(`${JSON.stringify({ bytes })}\n`);
});
socket.on('error', (err) => {
  process.stderr.write(`wire: ${err.message}\n`);
  process.exitCode = 1;
});
