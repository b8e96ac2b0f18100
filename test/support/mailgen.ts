// Deterministic generator of realistic RFC 5322 messages for tests, benchmarks
// and the demo. The same (seed, i, options) always gives the same bytes, so a
// failing test can be replayed exactly. CRLF everywhere, as on the wire.
//
// Every 10 consecutive messages cover: plain text and multipart/alternative,
// RFC 2047 subjects and display names (UTF-8 B and Q, ISO-8859-1 Q), UTF-8
// 8bit bodies, an ISO-8859-1 quoted-printable body, body lines starting with
// '.' (including a line that is exactly '.'), a base64 attachment, a reply
// with In-Reply-To, and an HTML part with a remote image (a tracking pixel).

export type MessageKind = 'plain' | 'alternative';
export type HeaderCharset = 'ascii' | 'utf8-b' | 'utf8-q' | 'latin1-q';

export interface GenerateOptions {
  /**
   * Dates are spread over the 180 days before this instant. Default: a fixed
   * instant, so output does not depend on the clock; the demo passes Date.now().
   */
  now?: Date | number;
  /** Recipient address, default alice@example.com. */
  to?: string;
  /** Force (bytes > 0) or forbid (0) an attachment of this size. */
  attachmentBytes?: number;
  /** Force the structure; default chosen from i. */
  kind?: MessageKind;
  /** Add a <script> and an onerror handler to HTML parts (sanitizer tests). */
  hostileHtml?: boolean;
  /**
   * Draw about a third of the body words from this many made-up words with a
   * Zipf-like frequency, and add a ticket number, so that a search index
   * sees a real mailbox's vocabulary (default: the small fixed word list only).
   */
  vocabulary?: number;
}

/** What a test may want to assert about a generated message. */
export interface GeneratedMessage {
  raw: Buffer;
  /** Decoded subject, as a reader should display it. */
  subject: string;
  fromName: string;
  fromAddress: string;
  to: string;
  date: Date;
  messageId: string;
  kind: MessageKind;
  headerCharset: HeaderCharset;
  attachment?: { filename: string; contentType: string; bytes: number };
  hasDotLines: boolean;
  hasRemoteImage: boolean;
}

const DEFAULT_NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const SPREAD_MS = 180 * 24 * 3600 * 1000;
const CRLF = '\r\n';

export function generateMessage(seed: number, i: number, opts: GenerateOptions = {}): Buffer {
  return generateMessageWithInfo(seed, i, opts).raw;
}

export function generateMailbox(seed: number, count: number, opts: GenerateOptions = {}): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(generateMessage(seed, i, opts));
  return out;
}

export function generateMessageWithInfo(seed: number, i: number, opts: GenerateOptions = {}): GeneratedMessage {
  const rnd = new Random(seed, i);
  const features = featuresFor(i, opts);
  const sender = rnd.pick(SENDERS[features.headerCharset]);
  const subjectBase = rnd.pick(SUBJECTS[features.headerCharset]);
  const isReply = i % 10 === 9;
  const subject = isReply ? `Re: ${subjectBase}` : subjectBase;
  const to = opts.to ?? 'alice@example.com';
  const now = opts.now === undefined ? DEFAULT_NOW : Number(opts.now);
  const date = new Date(now - SPREAD_MS * rnd.next());
  const zone = rnd.pick(ZONES);
  const messageId = `<${seed.toString(36)}.${i}.${rnd.int(1e9).toString(36)}@${sender.address.split('@')[1]}>`;

  const headers = [
    `Return-Path: <${sender.address}>`,
    `Received: from mx.example.net (mx.example.net [192.0.2.${1 + (i % 250)}])${CRLF}\tby pop.example.com with ESMTPS id ${rnd.int(1e12).toString(36)}${CRLF}\tfor <${to}>; ${formatDate(date, zone)}`,
    `Date: ${formatDate(date, zone)}`,
    `From: ${formatAddress(sender.name, sender.address, features.headerCharset)}`,
    `To: ${to}`,
    ...(i % 6 === 1 ? [`Cc: ${formatAddress('Support Team', 'support@example.org', 'ascii')}`] : []),
    `Subject: ${encodeHeaderText(subject, features.headerCharset, 'Subject: '.length)}`,
    `Message-ID: ${messageId}`,
    ...(isReply ? [`In-Reply-To: <${seed.toString(36)}.${i - 1}.orig@example.com>`, `References: <${seed.toString(36)}.${i - 1}.orig@example.com>`] : []),
    ...(i % 8 === 4 ? ['List-Id: Release announcements <announce.example.org>', 'List-Unsubscribe: <https://example.org/unsubscribe>'] : []),
    'MIME-Version: 1.0',
  ];

  const text = bodyText(rnd, features, to);
  const html = features.kind === 'alternative' ? bodyHtml(text, features) : undefined;
  const attachment = features.attachmentBytes > 0 ? makeAttachment(rnd, i, features.attachmentBytes) : undefined;
  const body = assembleBody(seed, i, { text, html, attachment, bodyCharset: features.bodyCharset });

  const raw = Buffer.concat([Buffer.from(headers.join(CRLF) + CRLF, 'latin1'), body]);
  return {
    raw,
    subject,
    fromName: sender.name,
    fromAddress: sender.address,
    to,
    date: new Date(Math.floor(date.getTime() / 1000) * 1000),
    messageId,
    kind: features.kind,
    headerCharset: features.headerCharset,
    attachment: attachment && { filename: attachment.filename, contentType: attachment.contentType, bytes: attachment.data.length },
    hasDotLines: features.dotLines,
    hasRemoteImage: html?.includes('https://track.example.net/') ?? false,
  };
}

// ---------------------------------------------------------------- features

interface Features {
  kind: MessageKind;
  headerCharset: HeaderCharset;
  bodyCharset: 'us-ascii' | 'utf-8' | 'iso-8859-1';
  dotLines: boolean;
  attachmentBytes: number;
  remoteImage: boolean;
  hostileHtml: boolean;
  vocabulary: number;
}

/** Fixed by i (not random) so any 10 consecutive messages cover every feature. */
function featuresFor(i: number, opts: GenerateOptions): Features {
  const headerCharset: HeaderCharset = (['ascii', 'utf8-b', 'ascii', 'utf8-q', 'ascii', 'latin1-q', 'utf8-b', 'ascii', 'utf8-q', 'ascii'] as const)[i % 10];
  const kind: MessageKind = opts.kind ?? (i % 3 === 1 ? 'alternative' : 'plain');
  const bodyCharset = headerCharset === 'latin1-q' ? 'iso-8859-1' : headerCharset === 'ascii' && i % 4 !== 0 ? 'us-ascii' : 'utf-8';
  const defaultAttachment = i % 7 === 3 ? 600 + ((i * 977) % 3000) : 0;
  return {
    kind,
    headerCharset,
    bodyCharset,
    dotLines: i % 4 === 2,
    attachmentBytes: opts.attachmentBytes ?? defaultAttachment,
    remoteImage: i % 5 === 1,
    hostileHtml: opts.hostileHtml ?? false,
    vocabulary: opts.vocabulary ?? 0,
  };
}

// ---------------------------------------------------------------- content

interface Sender {
  name: string;
  address: string;
}

const SENDERS: Record<HeaderCharset, Sender[]> = {
  ascii: [
    { name: 'Pat Example', address: 'pat@example.com' },
    { name: "O'Brien, Sean", address: 'sean.obrien@example.org' },
    { name: 'GitHub Notifications', address: 'notifications@example.net' },
    { name: 'Build Bot', address: 'ci@build.example.com' },
  ],
  'utf8-b': [
    { name: 'Zoë Ångström', address: 'zoe@example.se' },
    { name: '山田 太郎', address: 'taro@example.jp' },
    { name: 'Ελένη Παπαδοπούλου', address: 'eleni@example.gr' },
  ],
  'utf8-q': [
    { name: 'François Lefèvre', address: 'francois@example.fr' },
    { name: 'Łukasz Żółw', address: 'lukasz@example.pl' },
  ],
  'latin1-q': [
    { name: 'Jürgen Müller', address: 'juergen@example.de' },
    { name: 'Søren Kierkegård', address: 'soren@example.dk' },
  ],
};

const SUBJECTS: Record<HeaderCharset, string[]> = {
  ascii: [
    'Quarterly report draft',
    'Lunch on Friday?',
    '[pop3-mail] Build #1432 passed',
    'Your invoice INV-2041 is ready',
    'Meeting notes: storage layer review and the plan for the next two weeks of work on the sync engine',
  ],
  'utf8-b': ['Grüße aus München 🍺', '会議の議事録について', 'Résumé — final version ✅', 'Καλημέρα από την Αθήνα'],
  'utf8-q': ['Café naïve: déjà vu', 'Zażółć gęślą jaźń', 'Prix spécial — 20 % de réduction'],
  'latin1-q': ['Bestätigung Ihrer Bestellung', 'Hälsningar från Göteborg'],
};

const WORDS = (
  'the a we it our this that release build store index message server client tls session mailbox ' +
  'account review plan sync next week team draft change test report number figure today tomorrow ' +
  'please thanks note check update version attached below above quickly later agreed'
).split(' ');
const UTF8_SNIPPETS = ['naïve café', 'Grüße', 'smörgåsbord', '日本語のテキスト', 'Ελληνικά', '€ 42,00', '✓ done', '🙂'];
const LATIN1_SNIPPETS = ['Grüße', 'Größe', 'smörgåsbord', 'café', 'año', '£ 12', '½ Stunde'];

const SYLLABLES = 'ka lo mi ne ru sa te vo pi da fe gu ho ja ki lu ma no pe ri'.split(' ');

/** The made-up word of a rank: distinct for every rank, pronounceable. */
export function madeUpWord(rank: number): string {
  let word = '';
  let r = rank;
  do {
    word += SYLLABLES[r % SYLLABLES.length];
    r = Math.floor(r / SYLLABLES.length);
  } while (r > 0);
  return word;
}

function sentence(rnd: Random, snippets: readonly string[] | undefined, vocabulary = 0): string {
  const words: string[] = [];
  const n = 6 + rnd.int(10);
  for (let k = 0; k < n; k++) {
    // Log-uniform ranks: word frequency falls off about as 1/rank (Zipf).
    if (vocabulary > 0 && rnd.next() < 0.35) words.push(madeUpWord(Math.floor(vocabulary ** rnd.next()) - 1));
    else words.push(snippets && rnd.next() < 0.12 ? rnd.pick(snippets) : rnd.pick(WORDS));
  }
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + (rnd.next() < 0.2 ? '?' : '.');
}

function bodyText(rnd: Random, f: Features, to: string): string {
  const snippets = f.bodyCharset === 'utf-8' ? UTF8_SNIPPETS : f.bodyCharset === 'iso-8859-1' ? LATIN1_SNIPPETS : undefined;
  const local = to.split('@')[0] ?? to;
  const paragraphs: string[] = [`Hi ${local.charAt(0).toUpperCase()}${local.slice(1)},`];
  const count = 1 + rnd.int(4);
  for (let p = 0; p < count; p++) {
    const sentences: string[] = [];
    const n = 2 + rnd.int(4);
    for (let k = 0; k < n; k++) sentences.push(sentence(rnd, snippets, f.vocabulary));
    paragraphs.push(wrap(sentences.join(' '), 72));
  }
  if (f.vocabulary > 0) paragraphs.push(`Ticket TKT-${100000 + rnd.int(900000)}`);
  if (f.dotLines) {
    // POP3 dot-stuffing: a line that is exactly '.' would end the transfer if
    // the server did not stuff it; '..' and '.foo' must lose no dot either.
    paragraphs.push(['Dots at line starts:', '.', '..', '.hidden-file', '...and an ellipsis'].join('\n'));
  }
  paragraphs.push('-- \nSent from a test generator');
  return paragraphs.join('\n\n');
}

function bodyHtml(text: string, f: Features): string {
  const paragraphs = text.split('\n\n').map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  const extras: string[] = ['<p><a href="https://example.com/view?id=1">View in browser</a></p>'];
  if (f.remoteImage) extras.push('<img src="https://track.example.net/pixel.gif?u=alice" width="1" height="1" alt="">');
  if (f.hostileHtml) {
    extras.push('<script>document.title = "pwned"</script>', '<img src="x" onerror="alert(1)">');
  }
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="${f.bodyCharset}"><style>p { font-family: sans-serif; }</style></head>`,
    '<body>',
    ...paragraphs,
    ...extras,
    '</body></html>',
  ].join('\n');
}

interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Largest attachment made as CSV text; bigger ones are binary, like real large files. */
const MAX_CSV_BYTES = 64 * 1024;

function makeAttachment(rnd: Random, i: number, bytes: number): Attachment {
  if (i % 2 === 0 && bytes <= MAX_CSV_BYTES) {
    const rows = ['id,name,amount'];
    let length = rows[0].length;
    while (length < bytes) {
      const row = `${rows.length},${rnd.pick(WORDS)},${rnd.int(100000) / 100}`;
      rows.push(row);
      length += row.length + 2;
    }
    return { filename: `report-${i}.csv`, contentType: 'text/csv', data: Buffer.from(rows.join('\r\n').slice(0, bytes), 'utf8') };
  }
  // Four bytes per draw: large attachments (benchmarks use up to 1 MB) stay cheap.
  const data = Buffer.alloc(bytes + 3);
  for (let k = 0; k < bytes; k += 4) data.writeUInt32LE(rnd.u32(), k);
  return { filename: `data-${i}.bin`, contentType: 'application/octet-stream', data: data.subarray(0, bytes) };
}

// ---------------------------------------------------------------- MIME assembly

interface BodyParts {
  text: string;
  html: string | undefined;
  attachment: Attachment | undefined;
  bodyCharset: Features['bodyCharset'];
}

/** Content-Type and friends plus the body, as one Buffer starting with the rest of the header. */
function assembleBody(seed: number, i: number, parts: BodyParts): Buffer {
  const textPart = leafPart('text/plain', parts.text, parts.bodyCharset);
  const alternative = parts.html === undefined ? textPart : multipart('alternative', boundary(seed, i, 'alt'), [textPart, leafPart('text/html', parts.html, parts.bodyCharset, true)]);
  const top = parts.attachment ? multipart('mixed', boundary(seed, i, 'mix'), [alternative, attachmentPart(parts.attachment)]) : alternative;
  return Buffer.concat([Buffer.from(top.header.join(CRLF) + CRLF + CRLF, 'latin1'), top.body]);
}

interface Part {
  header: string[];
  body: Buffer;
}

function leafPart(type: string, content: string, charset: Features['bodyCharset'], forceQp = false): Part {
  const crlf = content.replace(/\r?\n/g, CRLF) + CRLF;
  if (charset === 'us-ascii' && !forceQp) {
    return { header: [`Content-Type: ${type}; charset="us-ascii"`, 'Content-Transfer-Encoding: 7bit'], body: Buffer.from(crlf, 'latin1') };
  }
  const bytes = Buffer.from(crlf, charset === 'iso-8859-1' ? 'latin1' : 'utf8');
  if (charset === 'utf-8' && !forceQp) {
    return { header: [`Content-Type: ${type}; charset="utf-8"`, 'Content-Transfer-Encoding: 8bit'], body: bytes };
  }
  return { header: [`Content-Type: ${type}; charset="${charset}"`, 'Content-Transfer-Encoding: quoted-printable'], body: Buffer.from(quotedPrintable(bytes), 'latin1') };
}

function attachmentPart(a: Attachment): Part {
  return {
    header: [
      `Content-Type: ${a.contentType}; name="${a.filename}"`,
      `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64',
    ],
    body: Buffer.from(wrapFixed(a.data.toString('base64'), 76) + CRLF, 'latin1'),
  };
}

function multipart(subtype: string, b: string, children: Part[]): Part {
  const chunks: Buffer[] = [Buffer.from(`This is a multi-part message in MIME format.${CRLF}`, 'latin1')];
  for (const child of children) {
    chunks.push(Buffer.from(`${CRLF}--${b}${CRLF}${child.header.join(CRLF)}${CRLF}${CRLF}`, 'latin1'), child.body);
  }
  chunks.push(Buffer.from(`${CRLF}--${b}--${CRLF}`, 'latin1'));
  return { header: [`Content-Type: multipart/${subtype};${CRLF} boundary="${b}"`], body: Buffer.concat(chunks) };
}

function boundary(seed: number, i: number, tag: string): string {
  return `----=_Part_${tag}_${seed}_${i}_pop3mail`;
}

// ---------------------------------------------------------------- encodings

/** RFC 2047 encoded words, each at most 75 characters, folded between words. */
export function encodeHeaderText(text: string, charset: HeaderCharset, firstLineUsed = 0): string {
  if (charset === 'ascii') return foldAscii(text, firstLineUsed);
  const cs = charset === 'latin1-q' ? 'ISO-8859-1' : 'UTF-8';
  const q = charset !== 'utf8-b';
  const encodeChunk = (chunk: string): string => {
    const bytes = Buffer.from(chunk, cs === 'UTF-8' ? 'utf8' : 'latin1');
    return `=?${cs}?${q ? 'Q' : 'B'}?${q ? qEncode(bytes) : bytes.toString('base64')}?=`;
  };
  // Split on code points (never inside a UTF-8 sequence) so each word is valid alone.
  const words: string[] = [];
  let current = '';
  for (const ch of text) {
    if (current && encodeChunk(current + ch).length > 75) {
      words.push(encodeChunk(current));
      current = '';
    }
    current += ch;
  }
  if (current) words.push(encodeChunk(current));
  return words.join(`${CRLF} `);
}

function qEncode(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x20) out += '_';
    else if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x21 || b === 0x2a || b === 0x2b || b === 0x2d || b === 0x2f) out += String.fromCharCode(b);
    else out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Display name + address; non-ASCII names become encoded words, specials get quoted. */
function formatAddress(name: string, address: string, charset: HeaderCharset): string {
  if (charset !== 'ascii') return `${encodeHeaderText(name, charset)} <${address}>`;
  const phrase = /^[A-Za-z0-9 ]+$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
  return `${phrase} <${address}>`;
}

/** Folds a plain header value at spaces so lines stay under 78 characters. */
function foldAscii(text: string, firstLineUsed: number): string {
  const lines: string[] = [];
  let line = '';
  let budget = 78 - firstLineUsed;
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > budget) {
      lines.push(line);
      line = word;
      budget = 77; // continuation lines start with a space
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`${CRLF} `);
}

/** RFC 2045 quoted-printable; input lines end in CRLF, which stay hard breaks. */
function quotedPrintable(bytes: Buffer): string {
  const out: string[] = [];
  for (const line of bytes.toString('latin1').split(CRLF)) {
    let encoded = '';
    for (let k = 0; k < line.length; k++) {
      const c = line.charCodeAt(k);
      const atEnd = k === line.length - 1;
      const literal = (c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !atEnd);
      encoded += literal ? line[k] : `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    out.push(softWrapQp(encoded));
  }
  return out.join(CRLF);
}

/** Soft line breaks ('=' at the end) keep lines at most 76 characters, never splitting an =XX. */
function softWrapQp(encoded: string): string {
  const pieces: string[] = [];
  let rest = encoded;
  while (rest.length > 76) {
    let cut = 75;
    const escape = rest.lastIndexOf('=', cut - 1);
    if (escape > cut - 3) cut = escape;
    pieces.push(`${rest.slice(0, cut)}=`);
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces.join(CRLF);
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function wrapFixed(text: string, width: number): string {
  const lines: string[] = [];
  for (let k = 0; k < text.length; k += width) lines.push(text.slice(k, k + width));
  return lines.join(CRLF);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------- dates

const ZONES = [0, 60, 120, -300, -480, 330, 540];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in the given zone (minutes east of UTC). */
export function formatDate(date: Date, zoneMinutes: number): string {
  const local = new Date(date.getTime() + zoneMinutes * 60000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const sign = zoneMinutes < 0 ? '-' : '+';
  const abs = Math.abs(zoneMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${two(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

// ---------------------------------------------------------------- randomness

/** xorshift32 seeded from (seed, i): independent streams per message, no global state. */
class Random {
  private state: number;

  constructor(seed: number, i: number) {
    // Spread both inputs over 32 bits so neighbouring seeds and indexes differ early.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 0x632be5ab, 0xc2b2ae35)) >>> 0 || 1;
    for (let k = 0; k < 4; k++) this.next();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 0x100000000;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}
