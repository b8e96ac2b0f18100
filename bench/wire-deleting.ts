// The least a Node.js client can do for a durable deleting fetch: one TLS
// connection, USER/PASS, every RETR pipelined in one write; each message's
// bytes written to tmp/ on the main thread, fsynced on the thread pool (16
// threads, as our CLI), renamed into new/, new/ fsynced, then its DELE
// (pipelined, a batch per folder sync); QUIT when all are deleted, and the
// server's close at its end.
// It does less than a correct client (no dot-unstuffing, no UIDL or LIST,
// no index), so it is a floor, not a peer.
//
//   node wire-deleting.js <host> <port> <user> <count> <ca-file> <maildir>   (password in POP3_PASSWORD)

process.env['UV_THREADPOOL_SIZE'] ??= '16';

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { retrieveAll } from './wire-session';

const [host = 'localhost', port = '995', user = 'bench', countText = '0', caFile, maildir = 'Maildir'] = process.argv.slice(2);
const count = Number(countText);
const password = process.env['POP3_PASSWORD'] ?? '';
const TERMINATOR = Buffer.from('\r\n.\r\n');

for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
const newDir = fs.openSync(path.join(maildir, 'new'), 'r');

const socket = tls.connect({ host, port: Number(port), servername: host, ca: caFile ? fs.readFileSync(caFile) : undefined, minVersion: 'TLSv1.2' });

/** Renamed into new/ and waiting for the folder's fsync before their DELE. */
let renamed: number[] = [];
let folderSyncing = false;
let deleted = 0;

function fail(err: unknown): void {
  process.stderr.write(`wire-deleting: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

/** One folder fsync covers every rename before it; the DELEs of those messages go out after it. */
function syncFolderThenDelete(): void {
  if (folderSyncing || renamed.length === 0) return;
  const batch = renamed;
  renamed = [];
  folderSyncing = true;
  fs.fsync(newDir, (err) => {
    if (err) return fail(err);
    folderSyncing = false;
    socket.write(batch.map((n) => `DELE ${n}\r\n`).join(''));
    deleted += batch.length;
    // Not end(): Dovecot drops what it has not processed when the client's side closes; it closes after QUIT.
    if (deleted === count) socket.write('QUIT\r\n');
    else syncFolderThenDelete();
  });
}

function store(n: number, message: Buffer): void {
  const name = `${Date.now()}.P${process.pid}Q${n}.bench`;
  const tmp = path.join(maildir, 'tmp', name);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  for (let at = 0; at < message.length; ) at += fs.writeSync(fd, message, at);
  fs.fsync(fd, (err) => {
    if (err) return fail(err);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(maildir, 'new', name));
    renamed.push(n);
    syncFolderThenDelete();
  });
}

let received = 0;
/** The current message's bytes so far (its +OK line included), and the last 4 bytes seen, for a terminator across chunks. */
let parts: Buffer[] = [];
let tail = Buffer.alloc(0);

retrieveAll(socket, user, password, count, (chunk) => {
  if (count === 0) {
    if (chunk.length === 0) socket.write('QUIT\r\n'); // an empty mailbox: the session only
    return;
  }
  if (received === count) return; // replies to DELE and QUIT
  const buf = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
  const shift = tail.length; // buf[i] is chunk[i - shift]
  let from = 0; // in chunk: where the current message's bytes resume
  for (let at = buf.indexOf(TERMINATOR); at !== -1 && received < count; at = buf.indexOf(TERMINATOR, at + TERMINATOR.length)) {
    const end = at + 2 - shift; // the message keeps its last CRLF
    if (end >= from) parts.push(chunk.subarray(from, end));
    else parts[parts.length - 1] = parts[parts.length - 1]!.subarray(0, parts[parts.length - 1]!.length + end - from);
    const reply = Buffer.concat(parts);
    received++;
    store(received, reply.subarray(reply.indexOf('\r\n') + 2));
    parts = [];
    from = at + TERMINATOR.length - shift;
  }
  if (from < chunk.length) parts.push(chunk.subarray(from));
  tail = Buffer.from(buf.subarray(Math.max(0, buf.length - 4)));
}, fail);
socket.on('error', fail);
socket.on('close', () => {
  if (deleted !== count) fail(new Error(`deleted ${deleted} of ${count}`));
});
