// Helpers shared by the CLI commands.

import * as fs from 'node:fs';
import { AUTH_METHODS, type AuthMethod } from '../pop3/auth/types';
import { UsageError } from './args';
import { terminalLine } from './terminal';

/** One line, safe for a terminal: no escape sequences or control characters, bounded length. */
export function oneLine(text: string): string {
  return terminalLine(text).slice(0, 500);
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function parseSecurity(text: string | undefined): 'tls' | 'starttls' {
  if (text === undefined || text === 'tls' || text === 'starttls') return text ?? 'tls';
  throw new UsageError(`--security must be tls or starttls, not ${text}`);
}

export function parseAuth(text: string | undefined): AuthMethod {
  if (text === undefined) return 'auto';
  if ((AUTH_METHODS as readonly string[]).includes(text)) return text as AuthMethod;
  throw new UsageError(`--auth must be one of ${AUTH_METHODS.join(', ')}, not ${text}`);
}

/** A non-negative whole number option, or undefined when absent. */
export function parseCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`--${name} must be a whole number, not ${text}`);
  return Number(text);
}

export function readCa(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read --ca ${file}: ${(err as Error).message}`);
  }
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
