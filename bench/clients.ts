// The fetch clients the benchmark compares, each as a command to run under
// measure(): the raw wire, mpop, fetchmail, and ours (first fetch and a
// re-fetch with nothing new). Each `prepare` gives a fresh empty target.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Server {
  readonly port: number;
  readonly caFile: string;
  readonly user: string;
  readonly password: string;
  readonly count: number;
}

export interface Client {
  readonly name: string;
  /** Resets the client's target; returns the command to time. */
  prepare(work: string, server: Server): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** Messages the client stored (to check it really fetched everything). */
  stored?(work: string): number;
}

const root = path.resolve(__dirname, '..');

function freshDir(dir: string, sub: readonly string[] = []): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const s of sub) fs.mkdirSync(path.join(dir, s));
  return dir;
}

const countFiles = (dir: string): number => (fs.existsSync(dir) ? fs.readdirSync(dir).length : 0);

export const wire: Client = {
  name: 'wire',
  prepare: (_work, s) => ({
    cmd: process.execPath,
    args: [path.join(root, 'bench/out/wire.js'), 'localhost', String(s.port), s.user, String(s.count), s.caFile],
    env: { POP3_PASSWORD: s.password },
  }),
};

/**
 * The floor of a durable deleting fetch for a Node.js program (wire-deleting.ts):
 * the wire's pipelined RETRs, each message fsynced on the pool as ours, DELE after.
 */
export const wireDeleting: Client = {
  name: 'wire deleting',
  prepare: (work, s) => ({
    cmd: process.execPath,
    args: [path.join(root, 'bench/out/wire-deleting.js'), 'localhost', String(s.port), s.user, String(s.count), s.caFile, freshDir(path.join(work, 'wire-deleting'))],
    env: { POP3_PASSWORD: s.password },
  }),
  stored: (work) => countFiles(path.join(work, 'wire-deleting', 'new')),
};

/**
 * Node.js starting and exiting with nothing to do: the part of our CLI's
 * re-fetch that no code of ours can remove, measured beside mpop's.
 */
export const nodeStartup: Client = { name: 'node startup (node -e 0)', prepare: () => ({ cmd: process.execPath, args: ['-e', '0'] }) };

function mpopCommand(work: string, s: Server, keep: boolean, fresh: boolean): { cmd: string; args: string[] } {
  const dir = path.join(work, 'mpop');
  if (fresh) {
    freshDir(dir, ['new', 'cur', 'tmp']);
    fs.rmSync(path.join(work, 'mpop-uidls'), { force: true });
  }
  const rc = path.join(work, 'mpoprc');
  fs.writeFileSync(
    rc,
    [
      'defaults',
      'tls on',
      'tls_starttls off',
      `tls_trust_file ${s.caFile}`,
      `keep ${keep ? 'on' : 'off'}`,
      'account bench',
      'host localhost',
      `port ${s.port}`,
      `user ${s.user}`,
      `password ${s.password}`,
      `delivery maildir ${dir}`,
      `uidls_file ${path.join(work, 'mpop-uidls')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return { cmd: '/usr/bin/mpop', args: ['-q', '-C', rc, 'bench'] };
}

const mpopStored = (work: string): number => countFiles(path.join(work, 'mpop', 'new')) + countFiles(path.join(work, 'mpop', 'cur'));

export const mpop: Client = { name: 'mpop', prepare: (work, s) => mpopCommand(work, s, true, true), stored: mpopStored };

/** mpop again on the mailbox it just fetched: nothing new. */
export const mpopRefetch: Client = { name: 'mpop re-fetch', prepare: (work, s) => mpopCommand(work, s, true, false) };

/** mpop with `keep off`: each message is delivered (fsynced) before DELE. */
export const mpopDelete: Client = { name: 'mpop deleting', prepare: (work, s) => mpopCommand(work, s, false, true), stored: mpopStored };

export const fetchmail: Client = {
  name: 'fetchmail',
  prepare(work, s) {
    const dir = freshDir(path.join(work, 'fetchmail-out'));
    const home = freshDir(path.join(work, 'fetchmail-home'));
    const rc = path.join(home, '.fetchmailrc');
    fs.writeFileSync(
      rc,
      [
        'set no bouncemail',
        `poll localhost service ${s.port} protocol pop3 uidl`,
        `  user "${s.user}" there with password "${s.password}" is root here`,
        `  ssl sslcertfile "${s.caFile}" sslcertck`,
        '  keep fetchall',
        `  mda "/bin/sh -c 'cat > ${dir}/$(date +%s%N).$$'"`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return {
      cmd: '/usr/bin/fetchmail',
      args: ['-f', rc, '-i', path.join(home, 'ids'), '--nosyslog', '-s', '--nodetach'],
      env: { HOME: home, FETCHMAILHOME: home },
    };
  },
  stored: (work) => countFiles(path.join(work, 'fetchmail-out')),
};

const oursArgs = (work: string, s: Server, extra: string[] = []): string[] => [
  path.join(root, 'dist/cli.js'),
  'fetch',
  '--host',
  'localhost',
  '--port',
  String(s.port),
  '--user',
  s.user,
  '--ca',
  s.caFile,
  '--store',
  path.join(work, 'ours'),
  '--json',
  ...extra,
];

export const ours: Client = {
  name: 'pop3-mail',
  prepare(work, s) {
    freshDir(path.join(work, 'ours'));
    return { cmd: process.execPath, args: oursArgs(work, s), env: { POP3_PASSWORD: s.password } };
  },
  stored: (work) => countFiles(path.join(work, 'ours', 'Maildir', 'new')),
};

/** Ours again on the store the last `ours` run filled: nothing new to download. */
export const oursRefetch: Client = {
  name: 'pop3-mail re-fetch',
  prepare: (work, s) => ({ cmd: process.execPath, args: oursArgs(work, s), env: { POP3_PASSWORD: s.password } }),
};

/** Ours with --delete into an empty store: every message fsynced before DELE. */
export const oursDelete: Client = {
  name: 'pop3-mail deleting',
  prepare(work, s) {
    freshDir(path.join(work, 'ours'));
    return { cmd: process.execPath, args: oursArgs(work, s, ['--delete']), env: { POP3_PASSWORD: s.password } };
  },
  stored: (work) => countFiles(path.join(work, 'ours', 'Maildir', 'new')),
};
