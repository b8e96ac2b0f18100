// CSS from a message, made unable to fetch anything (docs/security.md
// "Webview defaults"). Only images load, and only through <img> after "Load
// remote content": CSS url() stays blocked whatever the user chose.
//
// Names are judged the way the browser reads them, escapes decoded once
// (`u\72l(` is url(), `\75 rl(` too), but the output keeps the text as it
// came, less what was neutralised: decoded text in the output would be
// decoded again by the browser, and `u\5c 72l(` would turn into a url().
// One pass over the text, so a long run of any character costs linear time.
// No node, no vscode, no DOM.

/** CSS functions that fetch something (or wrap something that does); a name ending in one of these is blocked. */
const FETCHING_FUNCTIONS = ['url', 'image-set', 'image', 'cross-fade', 'element', 'src'];
/** At-rules that load something: stylesheets, fonts, namespaces. */
const FETCHING_AT_RULES = ['import', 'font-face', 'namespace'];

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** CSS white space (CSS Syntax 4.2). */
function isCssSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

function isNewline(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x0c;
}

/** A code point that may appear in a CSS name: letters, digits, `-`, `_`, anything non-ASCII (and NUL, read as U+FFFD). */
function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c >= 0x80 || c === 0;
}

/** A backslash at i that starts an escape (one not followed by a newline). */
function escapeAt(css: string, i: number): boolean {
  return css.charCodeAt(i) === 0x5c && !isNewline(css.charCodeAt(i + 1));
}

/** Decodes the escape at i (CSS Syntax 4.3.7); returns the character and where the escape ends. */
function readEscape(css: string, i: number): { char: string; end: number } {
  let j = i + 1;
  if (j >= css.length) return { char: '\ufffd', end: j };
  if (isHex(css.charCodeAt(j))) {
    const start = j;
    while (j < css.length && j - start < 6 && isHex(css.charCodeAt(j))) j++;
    const cp = parseInt(css.slice(start, j), 16);
    // One white space after a hex escape belongs to it (CR LF counts as one).
    if (css.charCodeAt(j) === 0x0d && css.charCodeAt(j + 1) === 0x0a) j += 2;
    else if (isCssSpace(css.charCodeAt(j))) j++;
    const char = cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ? '\ufffd' : String.fromCodePoint(cp);
    return { char, end: j };
  }
  const cp = css.codePointAt(j)!;
  return { char: String.fromCodePoint(cp), end: j + (cp > 0xffff ? 2 : 1) };
}

/** ASCII letters lower-cased, nothing else: CSS compares names ASCII case-insensitively. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The name (escapes decoded, ASCII lower-cased) that starts at i, and where it ends. */
function readName(css: string, i: number): { name: string; end: number } {
  const parts: string[] = [];
  let plain = i;
  let j = i;
  while (j < css.length) {
    if (isNameChar(css.charCodeAt(j))) j++;
    else if (escapeAt(css, j)) {
      const e = readEscape(css, j);
      if (j > plain) parts.push(css.slice(plain, j));
      parts.push(e.char);
      j = plain = e.end;
    } else break;
  }
  parts.push(css.slice(plain, j));
  return { name: asciiLower(parts.join('')), end: j };
}

/** Comments replaced by a space, as the CSS parser reads them; an unclosed one runs to the end. */
function withoutComments(css: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = css.indexOf('/*', from);
    if (open === -1) break;
    const close = css.indexOf('*/', open + 2);
    out += `${css.slice(from, open)} `;
    if (close === -1) return out;
    from = close + 2;
  }
  return out + css.slice(from);
}

/**
 * Makes CSS unable to fetch anything: comments removed, every function whose
 * name (escapes decoded) ends in a fetching one renamed to `blocked(`, every
 * fetching at-rule to an unknown one, which the CSS parser drops. `blocked`
 * counts what was neutralised (for the banner).
 */
export function cleanCss(css: string): { css: string; blocked: number } {
  const s = withoutComments(css);
  let out = '';
  let copied = 0;
  let blocked = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x40) {
      // @name: a fetching at-rule, however it is spelt, becomes @blocked-name.
      const { name, end } = readName(s, i + 1);
      const rule = FETCHING_AT_RULES.find((r) => name.startsWith(r));
      if (rule !== undefined) {
        out += `${s.slice(copied, i)}@blocked-${rule}`;
        copied = end;
        blocked++;
      }
      i = Math.max(end, i + 1);
      continue;
    }
    if (!isNameChar(c) && !escapeAt(s, i)) {
      i++;
      continue;
    }
    const { name, end } = readName(s, i);
    let j = end;
    while (j < s.length && isCssSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) === 0x28 && FETCHING_FUNCTIONS.some((f) => name.endsWith(f))) {
      out += `${s.slice(copied, i)}blocked(`;
      copied = j + 1;
      blocked++;
      i = j + 1;
      continue;
    }
    i = end;
  }
  return { css: out + s.slice(copied), blocked };
}
