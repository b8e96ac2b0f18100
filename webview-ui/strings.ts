// The view's own words: the host puts them, translated, into the template as
// JSON (webview-html.ts viewStrings); `{0}` in a string is its argument.
import type { ViewStrings } from '../src/shared/webview-protocol';

let strings: Partial<Record<keyof ViewStrings, unknown>> | undefined;

function load(): Partial<Record<keyof ViewStrings, unknown>> {
  try {
    const parsed: unknown = JSON.parse(document.getElementById('view-strings')?.textContent ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** The translated string `key`, with `{0}` replaced by `arg`; the key itself if the template lacks it. */
export function t(key: keyof ViewStrings, arg?: string | number): string {
  strings ??= load();
  const value = strings[key];
  const template = typeof value === 'string' ? value : key;
  return arg === undefined ? template : template.replace('{0}', () => String(arg));
}
