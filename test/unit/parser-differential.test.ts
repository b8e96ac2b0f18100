// The project's parser (what the editor and `pop3-mail show` display) against
// mailparser, an independent implementation, on every fixture and on a seeded
// generated corpus: subject, sender, date, text, attachment names and sizes.
// Where they disagree, either ours was fixed or the difference is a choice,
// listed in KNOWN with its reason. The test fails on any new disagreement and
// on a listed one that went away, so the list stays exactly true.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { showModel } from '../../src/cli/show';
import { safeFileName } from '../../src/mail/filename';
import { displaySafe } from '../../src/mail/summary';
import { generateMessage } from '../support/mailgen';

type Field = 'parse' | 'subject' | 'from' | 'date' | 'text' | 'attachments';

/** Disagreements we keep, with the reason: `${input} ${field}`. */
const KNOWN: ReadonlyArray<{ input: string; field: Field; reason: string }> = [
  // HTML turned into text: html-to-text (in mailparser) writes every link and image URL in
  // brackets and capitalises headings; ours shows what a reader sees (text, alt texts) and
  // never a URL, which on a terminal would be a hostile message's best bait.
  { input: 'view/20-remote-images.eml', field: 'text', reason: 'HTML as text: theirs adds image and link URLs, capitalises headings; ours shows alt texts' },
  { input: 'hostile/02-event-handlers.eml', field: 'text', reason: 'HTML as text: theirs shows an <img> src ("[x]"); ours only alt texts' },
  { input: 'hostile/03-dangerous-links.eml', field: 'text', reason: 'HTML as text: theirs prints javascript:/data:/command: hrefs; ours the link texts only' },
  { input: 'hostile/08-css-exfiltration.eml', field: 'text', reason: 'HTML as text: theirs adds a link URL and joins blocks differently' },
  { input: 'hostile/10-forms-meta-base.eml', field: 'text', reason: 'HTML as text: theirs adds a link href and an image src' },
  { input: 'hostile/12-svg.eml', field: 'text', reason: 'HTML as text: theirs prints a data:image/svg+xml src; ours has no text to show' },
  { input: 'hostile/06-mxss.eml', field: 'text', reason: 'mutation-XSS markup: ours hides math/svg/noscript content, theirs keeps a fragment of it' },
  { input: 'hostile/07-remote-resources.eml', field: 'text', reason: 'html-to-text reads only the <body> element, which comes last in this part; ours reads the whole part as a browser does' },
  { input: 'hostile/09-unclosed-img-parts.eml', field: 'text', reason: 'mailparser joins the HTML parts, so part one\'s unclosed tag swallows part two; ours converts each part on its own (T35)' },
  { input: 'hostile/11-utf7-html.eml', field: 'text', reason: 'mailparser leaves charset=utf-7 undecoded; ours decodes it (and drops the script it hid)' },
  // Structure.
  { input: 'view/30-newsletter.eml', field: 'attachments', reason: 'an inline cid: image of multipart/related is part of the HTML in our view, not an attachment' },
  { input: 'hostile/13-html-attachment.eml', field: 'attachments', reason: 'an inline text/html part with a filename: theirs merges it into the message, ours lists it as an attachment and never renders it' },
  { input: 'hostile/13-html-attachment.eml', field: 'text', reason: 'the same part: theirs adds its text to the body' },
  { input: 'view/40-bomb.eml', field: 'parse', reason: 'ours refuses a MIME bomb (nesting over the limit) with a clear error; mailparser parses it' },
];

const FIXTURES = ['view', 'hostile'].flatMap((dir) =>
  fs
    .readdirSync(path.resolve('test/fixtures', dir))
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, raw: fs.readFileSync(path.resolve('test/fixtures', dir, f)) })),
);
/** Seeded and bounded: 120 messages cover every variant of the generator many times over, in a second or two. */
const CORPUS = Array.from({ length: 120 }, (_, i) => ({
  name: `mailgen/${i}`,
  raw: generateMessage(2026, i, { hostileHtml: i % 7 === 3, attachmentBytes: i % 5 === 2 ? 3000 + i : undefined }),
}));

/** Line ends, trailing blanks and runs of empty lines do not count. */
function normText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

interface Comparable {
  subject: string;
  from: string;
  date: string;
  text: string;
  attachments: string;
}

function ours(raw: Buffer): Comparable {
  const m = showModel({ id: 'x', uidl: 'x' }, raw, '');
  return {
    subject: m.subject,
    from: `${m.from.name} <${m.from.address}>`,
    date: m.date,
    text: normText(m.text),
    attachments: JSON.stringify(m.attachments.map((a) => [a.name, a.size])),
  };
}

async function theirs(raw: Buffer): Promise<Comparable> {
  const p = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const from = p.from?.value[0];
  // mailparser dates a message without a valid Date header with the time of
  // parsing; ours leaves it without a date. That rule, not a disagreement per message.
  const validDate = p.date !== undefined && !Number.isNaN(p.date.getTime()) && Math.abs(p.date.getTime() - Date.now()) > 10 * 60_000;
  const date = validDate ? p.date!.toISOString() : '';
  // The same safe-name rule and fallback as ours, so only the raw names are compared.
  const attachments = p.attachments.map((a) => [safeFileName(a.filename, ''), a.size]);
  return {
    subject: displaySafe(p.subject ?? ''),
    from: `${displaySafe(from?.name ?? '')} <${displaySafe(from?.address ?? '')}>`,
    date,
    text: normText(p.text ?? ''),
    attachments: JSON.stringify(attachments),
  };
}

test('our parser and mailparser agree on every fixture and the generated corpus, but for the listed differences', { timeout: 60_000 }, async () => {
  const found: { input: string; field: Field; ours: string; theirs: string }[] = [];
  const covered = { text: 0, date: 0, attachments: 0, nonAsciiSubject: 0 };
  for (const { name, raw } of [...FIXTURES, ...CORPUS]) {
    let a: Comparable;
    try {
      a = ours(raw);
    } catch (err) {
      found.push({ input: name, field: 'parse', ours: String(err), theirs: 'parsed' });
      continue;
    }
    const b = await theirs(raw);
    // Agreement on empty fields proves nothing: count what was really compared.
    if (a.text !== '' && a.text === b.text) covered.text++;
    if (a.date !== '' && a.date === b.date) covered.date++;
    if (a.attachments !== '[]' && a.attachments === b.attachments) covered.attachments++;
    if (a.subject !== '' && a.subject === b.subject && /[^\x20-\x7e]/.test(a.subject)) covered.nonAsciiSubject++;
    for (const field of ['subject', 'from', 'date', 'text', 'attachments'] as const) {
      if (a[field] !== b[field]) found.push({ input: name, field, ours: a[field].slice(0, 300), theirs: b[field].slice(0, 300) });
    }
  }
  // DIFF_DUMP=/tmp/diff.json writes both sides of every disagreement, for updating KNOWN.
  if (process.env['DIFF_DUMP']) fs.writeFileSync(process.env['DIFF_DUMP'], JSON.stringify({ found, covered }, null, 1));
  const key = (d: { input: string; field: Field }): string => `${d.input} ${d.field}`;
  const known = new Set(KNOWN.map(key));
  const unexpected = found.filter((d) => !known.has(key(d)));
  assert.deepEqual(unexpected, [], 'a new disagreement: fix our parser or list it in KNOWN with the reason');
  assert.deepEqual(found.map(key).sort(), [...known].sort(), 'a listed disagreement went away: take it off KNOWN');
  assert.ok(FIXTURES.length >= 18 && CORPUS.length === 120);
  assert.ok(covered.text >= 100 && covered.date >= 100 && covered.attachments >= 20 && covered.nonAsciiSubject >= 30, JSON.stringify(covered));
});
