// An HTML part turned into plain text, for places that cannot render HTML
// (`pop3-mail show` on a terminal). Not a renderer: tags go, block elements
// and <br> become line breaks, list items get a bullet, the contents of
// <script>, <style>, <head>, <title> and <template> go, character references are decoded.
// One pass with indexOf, no regex over the document: the HTML is untrusted.

const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tr', 'ul',
]);
/** Elements whose content is never text the reader sees. */
const HIDDEN = new Set(['script', 'style', 'head', 'title', 'template', 'noscript', 'svg', 'math', 'object', 'iframe']);

const NAMED: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae', trade: '\u2122',
  hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d',
  bull: '\u2022', middot: '\u00b7', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5', cent: '\u00a2', sect: '\u00a7',
  deg: '\u00b0', laquo: '\u00ab', raquo: '\u00bb', times: '\u00d7', divide: '\u00f7', shy: '',
  zwnj: '\u200c', zwj: '\u200d', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
};

/** The HTML 4 names of U+00A0-U+00FF, in order. */
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot ' +
  'cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml ' +
  'Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

function named(name: string): string | undefined {
  const latin1 = LATIN1_NAMES.indexOf(name);
  if (latin1 !== -1) return name === 'shy' ? '' : String.fromCharCode(0xa0 + latin1);
  return Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
}

function codePoint(n: number): string {
  if (!Number.isFinite(n) || n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(n);
}

/** Decodes character references (named ones from a common set, all numeric ones). */
export function decodeEntities(text: string): string {
  let out = '';
  let from = 0;
  for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', amp + 1)) {
    // A reference is short: look at most 32 characters ahead for its ';'.
    let end = amp + 1;
    while (end < text.length && end - amp <= 32 && text[end] !== ';' && text[end] !== '&' && text[end] !== '<') end++;
    if (text[end] !== ';') continue;
    const body = text.slice(amp + 1, end);
    let value: string | undefined;
    if (body[0] === '#') {
      const hex = body[1] === 'x' || body[1] === 'X';
      const digits = body.slice(hex ? 2 : 1);
      if (digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) value = codePoint(parseInt(digits, hex ? 16 : 10));
    } else value = named(body) ?? named(body.toLowerCase());
    if (value === undefined) continue;
    out += text.slice(from, amp) + value;
    from = end + 1;
  }
  return out + text.slice(from);
}

function tagName(tag: string): { name: string; closing: boolean } {
  let i = 1;
  const closing = tag[i] === '/';
  if (closing) i++;
  let j = i;
  while (j < tag.length && /[A-Za-z0-9]/.test(tag[j]!)) j++;
  return { name: tag.slice(i, j).toLowerCase(), closing };
}

/** Collapses runs of blanks within lines and of empty lines (at most one empty line in a row). */
function tidy(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim());
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

/** The text of an HTML document or fragment. */
export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  let hiddenUntil: string | undefined;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      if (hiddenUntil === undefined) out += decodeEntities(html.slice(i).replace(/\s+/g, ' '));
      break;
    }
    if (hiddenUntil === undefined) out += decodeEntities(html.slice(i, lt).replace(/\s+/g, ' '));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const next = html.charCodeAt(lt + 1);
    const startsTag = (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a) || next === 0x2f || next === 0x21 || next === 0x3f;
    if (!startsTag) {
      // "a < b": a '<' that starts no tag is text (as in a browser).
      if (hiddenUntil === undefined) out += '<';
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    // A tag that never ends: a browser drops it with the rest of the part, and so do we.
    if (gt === -1) break;
    const tag = html.slice(lt, gt + 1);
    i = gt + 1;
    const { name, closing } = tagName(tag);
    // "<!DOCTYPE>", "<?xml?>", "</>": no element.
    if (name === '') continue;
    if (hiddenUntil !== undefined) {
      if (closing && name === hiddenUntil) hiddenUntil = undefined;
      continue;
    }
    if (!closing && HIDDEN.has(name) && !tag.endsWith('/>')) {
      hiddenUntil = name;
      continue;
    }
    if (name === 'br') out += '\n';
    else if (name === 'li') out += closing ? '' : '\n\u2022 ';
    else if (name === 'td' || name === 'th') out += closing ? '' : ' ';
    else if (BLOCK.has(name)) out += name === 'p' || /^h\d$/.test(name) ? '\n\n' : '\n';
    else if (name === 'img' && !closing) {
      const alt = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
      const text = alt?.[1] ?? alt?.[2];
      if (text) out += `[${decodeEntities(text)}]`;
    }
  }
  return tidy(out);
}
