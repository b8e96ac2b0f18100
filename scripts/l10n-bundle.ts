// Writes l10n/bundle.l10n.json: every message the extension passes to
// vscode.l10n.t (or to l10n.t of src/vscode/l10n.ts), English text as both
// key and value, for translators to copy into bundle.l10n.<locale>.json.
// `npm run l10n` rewrites it; test/unit/l10n.test.ts checks it is current.
// (What @vscode/l10n-dev's export does, for our one call style, without
// its dependencies.)
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const BUNDLE = path.join(ROOT, 'l10n', 'bundle.l10n.json');

/** A `l10n.t(` call and what follows it, up to the first argument's end when that is a '...' literal. */
const CALL = /\bl10n\.t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|([^\s]))/g;

export interface Extracted {
  readonly messages: string[];
  /** file:line of calls whose message is not a string literal (they cannot be translated). */
  readonly dynamic: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The literal's text, its escapes (\n, \u2026, \', \\) resolved. */
function unescape(literal: string): string {
  return JSON.parse(`"${literal.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
}

export function extract(dir = path.join(ROOT, 'src', 'vscode')): Extracted {
  const messages = new Set<string>();
  const dynamic: string[] = [];
  for (const file of sourceFiles(dir).sort()) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) {
      if (m[1] !== undefined) messages.add(unescape(m[1]));
      else if (!isForwarder(text, m.index)) dynamic.push(`${path.relative(ROOT, file)}:${text.slice(0, m.index).split('\n').length}`);
    }
  }
  return { messages: [...messages].sort(), dynamic };
}

/** `l10n.t(message, ...args)` inside the translator itself passes its own parameter on. */
function isForwarder(text: string, index: number): boolean {
  return /^l10n\.t\(message, \.\.\.args\)/.test(text.slice(index));
}

export function bundleText(messages: readonly string[]): string {
  return `${JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2)}\n`;
}

if (require.main === module) {
  const { messages, dynamic } = extract();
  if (dynamic.length > 0) {
    console.error(`l10n.t with a message that is not a string literal:\n${dynamic.join('\n')}`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  fs.writeFileSync(BUNDLE, bundleText(messages));
  console.log(`${path.relative(ROOT, BUNDLE)}: ${messages.length} messages`);
}
