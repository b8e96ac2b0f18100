// File names that every platform the editor runs on accepts. Maildir puts the
// flags after ":2," and Windows forbids ":" in a file name, so on Windows the
// separator is "!" (what Maildir tools there use). A store is read with
// either separator, whatever the platform: a store written by one naming
// keeps working under the other. Folder names built from user text (an
// account's key) avoid the characters and device names Windows reserves.
import { createHash } from 'node:crypto';

export type MaildirNaming = 'posix' | 'windows';

/** Forces the naming (tests run the store in both on one machine): `windows` or `posix`. */
export const NAMING_ENV = 'POP3_MAIL_MAILDIR_NAMING';

/** The naming for new names: the environment's choice, else the platform's. */
export function defaultNaming(): MaildirNaming {
  const forced = process.env[NAMING_ENV];
  if (forced === 'windows' || forced === 'posix') return forced;
  return process.platform === 'win32' ? 'windows' : 'posix';
}

export function flagSeparator(naming: MaildirNaming): ':' | '!' {
  return naming === 'windows' ? '!' : ':';
}

/**
 * Splits a Maildir file name into its unique part and its flag letters,
 * accepting ":2,<letters>" and "!2,<letters>" (the last such suffix); a name
 * without one is all unique part. Linear in the name's length.
 */
export function splitInfo(fileName: string): { base: string; flags: string } {
  const at = Math.max(fileName.lastIndexOf(':'), fileName.lastIndexOf('!'));
  if (at === -1 || fileName.charCodeAt(at + 1) !== 0x32 /* 2 */ || fileName.charCodeAt(at + 2) !== 0x2c /* , */) return { base: fileName, flags: '' };
  const flags = fileName.slice(at + 3);
  for (let i = 0; i < flags.length; i++) {
    const c = flags.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) return { base: fileName, flags: '' };
  }
  return { base: fileName.slice(0, at), flags };
}

/** Device names Windows reserves in every folder, with any extension (CON, CON.txt). */
const RESERVED = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/i;
/** Longest file name component Windows (NTFS) and Linux (ext4, in bytes) take. */
export const MAX_NAME = 255;

/** True when `name` is a valid file name component on Windows (and so everywhere we run). */
export function isPortableName(name: string): boolean {
  if (name === '' || name === '.' || name === '..' || Buffer.byteLength(name) > MAX_NAME) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || '<>:"/\\|?*'.includes(name[i]!)) return false;
  }
  const last = name[name.length - 1];
  if (last === '.' || last === ' ') return false;
  const stem = name.split('.', 1)[0]!.trimEnd();
  return !RESERVED.test(stem);
}

/**
 * A folder name for `key` that Windows accepts: the key itself when it
 * already is one (so existing stores keep their folder), else the key with
 * the offending characters escaped as %hh, a "_" before a reserved device
 * name, and a hash in place of the tail when it is too long.
 */
export function portableFolderName(key: string): string {
  if (isPortableName(key)) return key;
  let name = '';
  for (const c of key) {
    const code = c.charCodeAt(0);
    name += code < 0x20 || code === 0x7f || '<>:"/\\|?*'.includes(c) ? `%${code.toString(16).padStart(2, '0')}` : c;
  }
  if (name.endsWith('.') || name.endsWith(' ')) name = `${name.slice(0, -1)}%${name.charCodeAt(name.length - 1).toString(16)}`;
  if (RESERVED.test(name.split('.', 1)[0]!.trimEnd())) name = `_${name}`;
  if (name === '' || name === '.' || name === '..') name = `_${name}`;
  if (Buffer.byteLength(name) > MAX_NAME) {
    const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
    // Cut at a byte count: a character split in two decodes as U+FFFD, dropped here.
    let head = Buffer.from(name).subarray(0, 120).toString('utf8');
    while (head.endsWith('\uFFFD')) head = head.slice(0, -1);
    name = `${head}~${hash}`;
  }
  return name;
}
