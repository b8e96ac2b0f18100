// Proves the test harness itself: a private Dovecot starts, takes generated
// mail, answers a real POP3S session, and is really gone after stop(). Uses
// node:tls directly (not our client) so a harness bug cannot hide behind a
// client bug or the other way round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { canConnect, startDovecot } from '../support/dovecot';
import { generateMessage, generateMessageWithInfo } from '../support/mailgen';

/** Minimal POP3 conversation over TLS: just enough to check the server. */
class RawPop3 {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiter?.();
    });
    socket.on('error', (err) => {
      this.failure = err;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.failure ??= new Error('connection closed');
      this.waiter?.();
    });
  }

  static connect(port: number, ca: Buffer): Promise<RawPop3> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', minVersion: 'TLSv1.2' }, () =>
        resolve(new RawPop3(socket)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends a command and returns the status line (without CRLF). */
  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.readLine();
  }

  /** Reads until the CRLF that ends a status line. */
  async readLine(): Promise<string> {
    const end = await this.waitFor(Buffer.from('\r\n'));
    return this.take(end + 2).subarray(0, end).toString('latin1');
  }

  /** Reads a multi-line body after its status line and removes dot-stuffing. */
  async readMultiline(): Promise<Buffer> {
    // The terminator is a line that is exactly '.': CRLF . CRLF, seen from the body's first byte on.
    this.buffered = Buffer.concat([Buffer.from('\r\n'), this.buffered]);
    const end = await this.waitFor(Buffer.from('\r\n.\r\n'));
    const body = this.take(end + 5).subarray(2, end + 2);
    return Buffer.from(body.toString('latin1').replace(/\r\n\./g, '\r\n').replace(/^\./, ''), 'latin1');
  }

  close(): void {
    this.socket.destroy();
  }

  private take(n: number): Buffer {
    const head = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return head;
  }

  private async waitFor(needle: Buffer, timeoutMs = 10000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.buffered.indexOf(needle);
      if (at >= 0) return at;
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${JSON.stringify(needle.toString())}; have ${JSON.stringify(this.buffered.toString('latin1').slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }
}

test('Dovecot harness: deliver, POP3S STAT and RETR, stop closes the port', async () => {
  const dovecot = await startDovecot();
  let stopped = false;
  try {
    // i = 2 has lines starting with '.', so RETR also exercises dot-stuffing.
    const messages = [0, 1, 2].map((i) => generateMessage(42, i));
    const paths = messages.map((m) => dovecot.deliver('alice', m));
    for (const p of paths) assert.ok(p.startsWith(dovecot.maildir('alice') + '/new/'), p);
    const octets = messages.reduce((sum, m) => sum + m.length, 0);

    const pop = await RawPop3.connect(dovecot.pop3sPort, fs.readFileSync(dovecot.caFile));
    try {
      assert.match(await pop.readLine(), /^\+OK/);
      assert.match(await pop.command('USER alice'), /^\+OK/);
      assert.match(await pop.command('PASS s3cret'), /^\+OK/);
      assert.equal(await pop.command('STAT'), `+OK 3 ${octets}`);
      assert.match(await pop.command('RETR 3'), /^\+OK/);
      assert.ok((await pop.readMultiline()).equals(messages[2]), 'RETR 3 returns the delivered bytes');
      assert.match(await pop.command('QUIT'), /^\+OK/);
    } finally {
      pop.close();
    }
    assert.match(dovecot.logText(), /Login: user=<alice>, method=PLAIN/);

    await dovecot.stop();
    stopped = true;
    assert.equal(await canConnect(dovecot.pop3sPort), false, 'pop3s port closed after stop');
    assert.equal(await canConnect(dovecot.pop3Port), false, 'pop3 port closed after stop');
    assert.equal(fs.existsSync(dovecot.dir), false, 'temp dir removed');
  } finally {
    if (!stopped) await dovecot.stop();
  }
});

test('Dovecot harness: custom users and mechanisms show in CAPA, passwords are checked', async () => {
  const dovecot = await startDovecot({
    users: [{ user: 'bob', password: 'hunter2' }],
    mechanisms: ['plain', 'login', 'cram-md5'],
  });
  try {
    const info = generateMessageWithInfo(1, 5);
    dovecot.deliver('bob', info.raw, 'fixed-name.eml');
    const pop = await RawPop3.connect(dovecot.pop3sPort, fs.readFileSync(dovecot.caFile));
    try {
      assert.match(await pop.readLine(), /^\+OK/);
      assert.match(await pop.command('CAPA'), /^\+OK/);
      const capa = (await pop.readMultiline()).toString('latin1');
      assert.match(capa, /^SASL PLAIN LOGIN CRAM-MD5\r?$/m);
      assert.match(capa, /^UIDL\r?$/m);
      assert.match(await pop.command('USER bob'), /^\+OK/);
      assert.match(await pop.command('PASS hunter2'), /^\+OK/);
      assert.equal(await pop.command('STAT'), `+OK 1 ${info.raw.length}`);
      await pop.command('QUIT');
    } finally {
      pop.close();
    }
    // Last: after a failure Dovecot delays this client's next logins (auth penalty).
    const bad = await RawPop3.connect(dovecot.pop3sPort, fs.readFileSync(dovecot.caFile));
    try {
      assert.match(await bad.readLine(), /^\+OK/);
      assert.match(await bad.command('USER bob'), /^\+OK/);
      assert.match(await bad.command('PASS wrong'), /^-ERR/);
    } finally {
      bad.close();
    }
  } finally {
    await dovecot.stop();
  }
});
