// Text from a message or a server, made safe for the one place the editor
// shows it. Each place reads some syntax inside plain strings, so each has
// its own function, and every untrusted string goes through the one for the
// place it reaches (docs/security.md T31, T40):
//
//   forLabel         tree item label and description, plain-string tooltips,
//                    editor and panel titles, quick input titles and
//                    placeholders: shown as plain text
//   forModal         modal dialogs (message and detail): plain text, but
//                    newlines break lines there, so an untrusted part is
//                    kept on one line and cannot draw lines of its own
//   forNotification  showInformation/Warning/ErrorMessage and progress
//                    notifications: `[label](command:…)` becomes a link
//                    that runs the command on click; `$(…)` is shown as
//                    typed (the toast renders text nodes and links only)
//   forQuickPick     quick pick label, description and detail: `$(name)`
//                    becomes an icon
//   forStatusBar     status bar text: `$(name)` becomes an icon
//   forPrompt        input box prompt and validation message: links (as in
//                    a notification) and icons
//   forMarkdown      MarkdownString source (tooltips): all Markdown syntax,
//                    and `$(name)` when the string has supportThemeIcons
//
// All of them start from displayLine: bidi controls removed, other controls
// and runs of white space made one space, at most `max` characters. Each is
// a single pass over the text, so a long run of one character costs linear
// time, and displayLine stops reading once it has `max` characters.

/** Bidi embeddings, overrides and isolates, and the LRM, RLM and ALM marks. */
function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c;
}

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
function isControl(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
}

/** The white space of JavaScript's `\s` that is not a control. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Removes bidi control characters, so a name cannot reorder what is shown next to it. Keeps everything else. */
export function stripBidi(text: string): string {
  let out = '';
  for (const ch of text) if (!isBidiControl(ch.codePointAt(0)!)) out += ch;
  return out;
}

/** Cuts `text` to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const limit = Math.max(0, Math.floor(max));
  const chars: string[] = [];
  for (const ch of text) {
    chars.push(ch);
    if (chars.length > limit) return limit === 0 ? '' : `${chars.slice(0, limit - 1).join('')}\u2026`;
  }
  return text;
}

/**
 * One line of plain text: no bidi controls, controls and white space runs
 * as one space, trimmed, lone surrogates replaced, at most `max` characters
 * (the last one an ellipsis when cut). The base of every surface function,
 * and what log lines use.
 */
export function displayLine(text: string, max = 200): string {
  const limit = Math.max(0, Math.floor(max));
  const out: string[] = [];
  let space = false;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (isBidiControl(c)) continue;
    if (isControl(c) || isSpace(c)) {
      space = out.length > 0;
      continue;
    }
    if (space) out.push(' ');
    space = false;
    out.push(c >= 0xd800 && c <= 0xdfff ? '\ufffd' : ch);
    if (out.length > limit) break;
  }
  if (out.length <= limit) return out.join('');
  if (limit === 0) return '';
  const kept = out.slice(0, limit - 1);
  if (kept[kept.length - 1] === ' ') kept.pop();
  return `${kept.join('')}\u2026`;
}

function isIconNameChar(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-');
}

function isAsciiLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/**
 * Whether VS Code reads `$(name)` or `$(name~modifier)` as an icon at `i`
 * (its pattern: `\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)`). The scan stops at
 * the first character that is not part of a name, and `$` and `(` are not,
 * so the scans of all positions together read each character at most twice.
 */
function iconAt(s: string, i: number): boolean {
  if (s[i] !== '$' || s[i + 1] !== '(') return false;
  let j = i + 2;
  while (isIconNameChar(s[j])) j++;
  if (j === i + 2) return false;
  if (s[j] === '~') {
    let k = j + 1;
    while (isAsciiLetter(s[k])) k++;
    if (k === j + 1) return false;
    j = k;
  }
  return s[j] === ')';
}

/** `\` before each `$(name)`: VS Code then shows `$(name)` as typed instead of an icon (and drops that backslash). */
function escapeIcons(s: string): string {
  let out = '';
  let from = 0;
  for (let i = s.indexOf('$('); i !== -1; i = s.indexOf('$(', i + 1)) {
    if (!iconAt(s, i)) continue;
    out += `${s.slice(from, i)}\\`;
    from = i;
  }
  return out + s.slice(from);
}

/**
 * A space between `]` and `(`: VS Code's link syntax in notifications and
 * prompts (`[label](https:…|command:…|file:…)`) needs them next to each
 * other, and it has no escape character. Run on displayLine's output, where
 * no control or bidi character is left to hide between them.
 */
function breakLinks(s: string): string {
  return s.split('](').join('] (');
}

/** Tree labels and descriptions, plain-string tooltips, titles, placeholders. */
export function forLabel(text: string, max = 200): string {
  return displayLine(text, max);
}

/** A part of a modal dialog's message or detail. */
export function forModal(text: string, max = 300): string {
  return displayLine(text, max);
}

/** A part of a notification's message (or of a progress notification's title or message). */
export function forNotification(text: string, max = 300): string {
  return breakLinks(displayLine(text, max));
}

/** A quick pick item's label, description or detail. */
export function forQuickPick(text: string, max = 200): string {
  return escapeIcons(displayLine(text, max));
}

/** The status bar item's text. */
export function forStatusBar(text: string, max = 60): string {
  return escapeIcons(displayLine(text, max));
}

/** A part of an input box's prompt or validation message. */
export function forPrompt(text: string, max = 200): string {
  return escapeIcons(breakLinks(displayLine(text, max)));
}

/** Every ASCII punctuation character, each of which CommonMark lets a backslash escape. */
function isAsciiPunctuation(c: string): boolean {
  const n = c.charCodeAt(0);
  return (n >= 0x21 && n <= 0x2f) || (n >= 0x3a && n <= 0x40) || (n >= 0x5b && n <= 0x60) || (n >= 0x7b && n <= 0x7e);
}

/**
 * Literal text in a MarkdownString: one line, every ASCII punctuation
 * character backslash-escaped, so it cannot make a link, an image, HTML,
 * emphasis, a heading or a list. With `themeIcons` (the string's
 * supportThemeIcons), VS Code turns `$(name)` into an icon after the
 * Markdown is rendered, where `\$` has become `$` again: there `$(name)`
 * gets an escaped backslash in front, which renders as the `\` that VS Code
 * reads as "no icon here".
 */
export function forMarkdown(text: string, max = 200, options: { readonly themeIcons?: boolean } = {}): string {
  const s = displayLine(text, max);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (options.themeIcons === true && iconAt(s, i)) out += '\\\\';
    out += isAsciiPunctuation(c) ? `\\${c}` : c;
  }
  return out;
}

/**
 * Text for a webview that sets it as text and marks ranges in it (the Search
 * view's snippets): every control and bidi control becomes a space, so the
 * text keeps its length (the ranges stay right) and nothing in it can
 * reorder or hide what is shown around it.
 */
export function sameLengthPlain(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += isControl(c) || isBidiControl(c) ? ' ' : text[i];
  }
  return out;
}

