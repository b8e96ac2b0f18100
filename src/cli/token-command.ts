// `--token-command CMD`: the access token for XOAUTH2/OAUTHBEARER comes from
// a command the user trusts (an OAuth helper, a password manager), run
// through the shell like mpop's passwordeval, so a token never has to sit in
// the environment or on the command line.

import { Pop3Error } from '../pop3/errors';

/** A helper may open a browser and wait for the user; after this it is given up on. */
const TIMEOUT_MS = 120_000;
/** A token is a few kilobytes at most; more is not a token. */
const MAX_OUTPUT = 64 * 1024;

/**
 * Runs `command` with /bin/sh and returns the first line of its standard
 * output. Its standard error goes to ours (the helper's own messages and
 * prompts); a failure is an authentication error (exit 3) that names the
 * exit status only, since the output may hold a secret.
 */
export async function tokenFromCommand(command: string, timeoutMs = TIMEOUT_MS): Promise<string> {
  // Loaded on use: a fetch with a password does not pay for child_process.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `did not finish within ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) {
        failure ??= `printed more than ${MAX_OUTPUT} bytes`;
        child.kill('SIGKILL');
      } else chunks.push(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Pop3Error('AuthFailed', `The --token-command could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure === undefined && code !== 0) failure = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const output = Buffer.concat(chunks).toString('utf8');
      const newline = output.indexOf('\n');
      const token = (newline === -1 ? output : output.slice(0, newline)).trim();
      if (failure === undefined && token === '') failure = 'printed no token';
      if (failure !== undefined) reject(new Pop3Error('AuthFailed', `The --token-command ${failure}; no access token.`));
      else resolve(token);
    });
  });
}
