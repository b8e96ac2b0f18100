// The message view's HTML template. It carries no message data at all: the
// panel sends that with postMessage once the webview says `ready`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** A fresh nonce for every render (SECURITY.md "Webview defaults"). */
export function makeNonce(): string {
  return randomBytes(24).toString('base64');
}

/** Exactly the CSP of SECURITY.md "Webview defaults". */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "media-src 'none'",
    "connect-src 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ').concat(';');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webview may load only these folders of the extension (SECURITY.md T38). */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function messageViewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString();
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'message.css')).toString();
  const csp = contentSecurityPolicy(webview.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${attr(style)}">
<title>Message</title>
</head>
<body>
<main id="message" aria-busy="true">
  <header id="header">
    <h1 id="subject"></h1>
    <dl id="fields">
      <dt>From</dt><dd id="from"><bdi id="from-name"></bdi> <span id="from-address"></span></dd>
      <dt>To</dt><dd id="to"></dd>
      <dt id="cc-label" hidden>Cc</dt><dd id="cc" hidden></dd>
      <dt>Date</dt><dd><time id="date"></time></dd>
    </dl>
  </header>
  <vscode-divider id="divider" role="separator"></vscode-divider>
  <div id="status" role="status"><vscode-progress-ring id="loading"></vscode-progress-ring><span id="status-text">Loading message\u2026</span></div>
  <pre id="body" dir="auto"></pre>
</main>
<script type="module" nonce="${attr(nonce)}" src="${attr(script)}"></script>
</body>
</html>`;
}
