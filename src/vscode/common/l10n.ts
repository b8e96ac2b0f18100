// Translation for the whole vscode layer, its pure modules included (they
// must not import vscode, so that unit tests can load them): `l10n.t` is
// vscode.l10n.t once extension.ts has installed it; before that, and in
// tests, it is the English text with its {0} placeholders filled the way VS
// Code fills them when no translation bundle is loaded. Files that import
// vscode call vscode.l10n.t themselves.

export type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

/** `message` with `{0}`, `{1}`, ... replaced by the arguments; unknown placeholders stay as they are. */
export function formatMessage(message: string, args: readonly (string | number | boolean)[]): string {
  if (args.length === 0) return message;
  return message.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}

let translate: Translate = (message, ...args) => formatMessage(message, args);

export const l10n = {
  /** Like vscode.l10n.t: the message (its English text is the key) translated, `{n}` filled with args[n]. */
  t(message: string, ...args: (string | number | boolean)[]): string {
    return translate(message, ...args);
  },
};

/** Called once at activation with vscode.l10n.t. */
export function installTranslator(fn: Translate): void {
  translate = fn;
}
