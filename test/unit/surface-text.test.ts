// The escaping function of each editor surface (src/vscode/common/surface-text.ts)
// against what that surface reads in plain strings: VS Code's link syntax
// `[label](command:…)` (notifications, prompts), `$(name)` icons (quick
// pick, status bar, prompts, Markdown with theme icons), Markdown (tooltips),
// bidi and other controls, and very long input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayLine, forLabel, forMarkdown, forModal, forNotification, forPrompt, forQuickPick, forStatusBar, sameLengthPlain, stripBidi, truncate } from '../../src/vscode/common/surface-text';

const COMMAND_LINK = '[x](command:workbench.action.terminal.new)';
const RTLO = '\u202E';
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
const CONTROLS = '\u0000\u0007\u0008\t\n\u000b\u000c\r\u001b\u007f\u0085\u009b\u2028\u2029';

/** Icons VS Code would draw in a string that renders `$(name)`: those not preceded by its escape, a backslash. */
function drawnIcons(s: string): string[] {
  const drawn: string[] = [];
  for (const m of s.matchAll(/\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g)) if (s[m.index - 1] !== '\\') drawn.push(m[0]);
  return drawn;
}

/** What a CommonMark renderer makes of backslash escapes: `\` + ASCII punctuation is that character. */
function unescapeMarkdown(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1]!)) {
      out += s[i + 1];
      i++;
    } else out += s[i];
  }
  return out;
}

/** Whether the text holds VS Code's notification link syntax: `]` directly followed by `(`. */
function hasLinkSyntax(s: string): boolean {
  return s.includes('](');
}

function hasBidiOrControl(s: string): boolean {
  return [...s].some((c) => {
    const n = c.codePointAt(0)!;
    return BIDI.includes(c) || n <= 0x1f || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029;
  });
}

const SURFACES = { forLabel, forModal, forNotification, forPrompt, forQuickPick, forStatusBar, forMarkdown };

test('every surface: one line, no bidi or control characters, capped (T31, T40)', () => {
  const hostile = `Invoice${RTLO}gpj.exe${CONTROLS}next${BIDI.join('')}line\r\n\r\nfake second paragraph`;
  for (const [name, f] of Object.entries(SURFACES)) {
    const out = f(hostile);
    assert.ok(!hasBidiOrControl(out), `${name}: ${JSON.stringify(out)}`);
    assert.ok(!out.includes('\n'), `${name} keeps one line`);
    assert.ok(!out.includes('  '), `${name} collapses white space`);
    assert.equal(unescapeMarkdown(out), 'Invoicegpj.exe nextline fake second paragraph', name);
    const long = f('y'.repeat(5000), 50);
    assert.equal([...unescapeMarkdown(long)].length, 50, `${name}: capped at the given length`);
    assert.ok(long.endsWith('\u2026'), `${name}: the cut is marked`);
  }
});

test('notification: a command link is broken, text stays readable', () => {
  const out = forNotification(`Re: ${COMMAND_LINK} now`);
  assert.equal(out, 'Re: [x] (command:workbench.action.terminal.new) now');
  assert.ok(!hasLinkSyntax(out));
  // A bidi control or a newline between `]` and `(` is removed first, then the pair is broken.
  assert.ok(!hasLinkSyntax(forNotification(`[x]${RTLO}(command:evil)`)));
  assert.ok(!hasLinkSyntax(forNotification('[x]\n(command:evil)')));
  assert.ok(!hasLinkSyntax(forNotification('[a](https://evil.example "t") [b](file:///etc/passwd)')));
  // The toast shows `$(…)` as typed (text nodes and links only): nothing to escape there.
  assert.equal(forNotification('$(alert) due'), '$(alert) due');
});

test('modal and label: plain text, as typed apart from controls', () => {
  assert.equal(forModal(`Delete ${COMMAND_LINK} $(alert)`), `Delete ${COMMAND_LINK} $(alert)`);
  assert.equal(forModal('line one\nline two'), 'line one line two', 'an untrusted part cannot add lines to a dialog');
  assert.equal(forLabel(`${COMMAND_LINK} $(alert)`), `${COMMAND_LINK} $(alert)`);
});

test('quick pick and status bar: no icon from the text; the text reads as typed', () => {
  for (const f of [forQuickPick, forStatusBar]) {
    assert.equal(f('$(alert) Urgent'), '\\$(alert) Urgent');
    assert.deepEqual(drawnIcons(f('$(alert)$(zap~spin) $(a-b-1) x')), []);
    // Not the icon syntax: left alone (VS Code would show the backslash).
    assert.equal(f('costs $(5.00) or $() or $(x~) or $ (x)'), 'costs $(5.00) or $() or $(x~) or $ (x)');
    // A backslash of the sender's own before `$(`: VS Code drops one backslash, so the text keeps its own.
    assert.equal(f('\\$(alert)'), '\\\\$(alert)');
  }
  assert.equal(forQuickPick(COMMAND_LINK), COMMAND_LINK, 'quick picks render no links');
});

test('prompt: neither links nor icons', () => {
  const out = forPrompt(`${COMMAND_LINK} $(alert)`);
  assert.equal(out, '[x] (command:workbench.action.terminal.new) \\$(alert)');
  assert.ok(!hasLinkSyntax(out));
  assert.deepEqual(drawnIcons(out), []);
});

test('Markdown: all syntax literal; with theme icons, no icon after rendering', () => {
  const plain = forMarkdown(`${COMMAND_LINK} $(alert) <b>*x*</b>`);
  assert.equal(unescapeMarkdown(plain), `${COMMAND_LINK} $(alert) <b>*x*</b>`, 'rendered, it reads as typed');
  assert.ok(!/(^|[^\\])[[\]()<>*]/.test(plain), `every syntax character escaped: ${plain}`);
  // supportThemeIcons: VS Code finds `$(name)` in the rendered HTML, where backslash escapes are gone.
  const icons = forMarkdown('$(alert) and \\$(zap)', 200, { themeIcons: true });
  const rendered = unescapeMarkdown(icons);
  assert.deepEqual(drawnIcons(rendered), [], `rendered: ${rendered}`);
  assert.equal(rendered, '\\$(alert) and \\\\$(zap)', 'each icon pattern is preceded by the backslash VS Code reads as "no icon"');
  // Without theme icons nothing extra is added.
  assert.equal(unescapeMarkdown(forMarkdown('$(alert)')), '$(alert)');
});

test('helpers: stripBidi keeps everything else; truncate counts code points', () => {
  assert.equal(stripBidi(`a${BIDI.join('')}b\nc`), 'ab\nc');
  assert.equal(truncate('\u{1F600}'.repeat(5), 3), '\u{1F600}\u{1F600}\u2026');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(displayLine('  \u00a0 lead and trail \u3000 '), 'lead and trail');
  assert.equal(displayLine('a\uD800b'), 'a\uFFFDb', 'a lone surrogate is replaced');
  assert.equal(displayLine('\u{1F600}'.repeat(3), 2), '\u{1F600}\u2026', 'a pair is one character, never split');
  assert.equal(displayLine('abc def', 5), 'abc\u2026', 'no space before the ellipsis');
});

test('linear time: 100 kB runs of every character the surfaces look at, and 2 MB under the usual caps', () => {
  const runs = ['[', ']', '(', ')', '](', '$', '$(', '$(a', '$(a~', '\\', '*', ' ', '\n', RTLO, 'x', '\u{1F600}'];
  for (const unit of runs) {
    const input = unit.repeat(Math.ceil(100_000 / unit.length));
    const huge = unit.repeat(Math.ceil(2_000_000 / unit.length));
    for (const [name, f] of Object.entries(SURFACES)) {
      // With the cap past the end every character is kept and escaped: the worst case of each function.
      let started = performance.now();
      const out = f(input, 100_000);
      let ms = performance.now() - started;
      assert.ok(ms < 1000, `${name} on 100 kB of ${JSON.stringify(unit)}: ${ms.toFixed(0)} ms`);
      assert.ok(out.length > 0 || /^\s$|\u202E/.test(unit), `${name} kept the text of ${JSON.stringify(unit)}`);
      // A default cap: reading stops at the cap, but a run the output drops (white space, bidi) is read to its end.
      started = performance.now();
      f(huge);
      ms = performance.now() - started;
      assert.ok(ms < 5000, `${name} on 2 MB of ${JSON.stringify(unit)}: ${ms.toFixed(0)} ms`);
    }
  }
});

test('Search view snippets: controls and bidi controls become spaces, the length and the marked ranges stay', () => {
  const text = 'pay \u202Eexe.txt\u202C now\r\nor\u0007 later';
  const safe = sameLengthPlain(text);
  assert.equal(safe.length, text.length);
  assert.equal(safe, 'pay  exe.txt  now  or  later');
  const at = text.indexOf('now');
  assert.equal(safe.slice(at, at + 3), 'now', 'a range found in the snippet marks the same word');
  assert.equal(sameLengthPlain('caf\u00e9 \u05e9\u05dc\u05d5\u05dd'), 'caf\u00e9 \u05e9\u05dc\u05d5\u05dd', 'letters of any script are kept');
});

