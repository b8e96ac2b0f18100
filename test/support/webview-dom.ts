// A DOM for running the real webview code (webview-ui/render.ts,
// sanitize.ts) in a unit test: jsdom with the body of the message view's
// template, read from webview-html.ts so the element ids stay the ones the
// panel ships. No scripts run in it; the view's own code is called directly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSDOM } from 'jsdom';

// __filename, not __dirname: tsx gives a wrong __dirname when an ESM file imports this one.
const TEMPLATE = path.join(path.dirname(__filename), '..', '..', 'src', 'vscode', 'message-view', 'webview-html.ts');

/** The template's <body>, with its `${...}` placeholders left empty. */
function templateBody(): string {
  const source = fs.readFileSync(TEMPLATE, 'utf8');
  const start = source.indexOf('<body>');
  const end = source.indexOf('</body>');
  if (start === -1 || end === -1) throw new Error('webview-html.ts: no <body> in the template');
  return source
    .slice(start + '<body>'.length, end)
    .replace(/<script[^>]*>[^<]*<\/script>/g, '')
    .replace(/\$\{[^}]*\}/g, '');
}

const GLOBALS = ['window', 'document', 'Node', 'Element', 'HTMLElement', 'DocumentFragment', 'Event', 'KeyboardEvent'] as const;

export interface WebviewDom {
  readonly dom: JSDOM;
  readonly document: Document;
  /** Removes the globals again. */
  close(): void;
}

/** Puts a jsdom window with the view's template where the webview code looks for it (globalThis). */
export function installWebviewDom(): WebviewDom {
  const dom = new JSDOM(`<!DOCTYPE html><html><head></head><body>${templateBody()}</body></html>`);
  const target = globalThis as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>(GLOBALS.map((name) => [name, target[name]]));
  for (const name of GLOBALS) target[name] = name === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[name];
  return {
    dom,
    document: dom.window.document,
    close(): void {
      for (const [name, value] of saved) {
        if (value === undefined) delete target[name];
        else target[name] = value;
      }
      dom.window.close();
    },
  };
}
