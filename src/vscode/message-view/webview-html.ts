// The message view's HTML template. It carries no message data at all: the
// panel sends that with postMessage once the webview says `ready`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ViewStrings } from '../../shared/webview-protocol';

/** A fresh nonce for every render (docs/security.md "Webview defaults"). */
export function makeNonce(): string {
  return randomBytes(24).toString('base64');
}

/**
 * Exactly the CSP of docs/security.md "Webview defaults". With `remoteImages`
 * (the user clicked "Load remote content" for this message or sender),
 * `img-src` also allows https: and nothing else changes: never http:,
 * scripts, fonts or connections.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, remoteImages = false): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:${remoteImages ? ' https:' : ''}`,
    `font-src ${cspSource}`,
    "media-src 'none'",
    "connect-src 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ').concat(';');
}

/** Text for an HTML attribute value. */
export function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webview may load only these folders of the extension (docs/security.md T38). */
export function resourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/** Webview options of every message view (panel or .eml editor). */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: resourceRoots(extensionUri) };
}

/** The words the view's script writes itself, in the editor's language. */
export function viewStrings(): ViewStrings {
  return {
    noSubject: vscode.l10n.t('(no subject)'),
    noDate: vscode.l10n.t('(no date)'),
    none: vscode.l10n.t('(none)'),
    unknownSender: vscode.l10n.t('(unknown sender)'),
    noAddress: vscode.l10n.t('no address'),
    oneAttachment: vscode.l10n.t('1 attachment'),
    attachments: vscode.l10n.t('{0} attachments', '{0}'),
    save: vscode.l10n.t('Save\u2026'),
    saveLabel: vscode.l10n.t('Save {0}', '{0}'),
    open: vscode.l10n.t('Open'),
    openLabel: vscode.l10n.t('Open {0} in the editor', '{0}'),
    content: vscode.l10n.t('Message content'),
    contentPart: vscode.l10n.t('Message content, part {0}', '{0}'),
    noText: vscode.l10n.t('(This message has no text.)'),
    remoteOne: vscode.l10n.t('A remote image or resource was blocked to protect your privacy.'),
    remoteMany: vscode.l10n.t('{0} remote images or resources were blocked to protect your privacy.', '{0}'),
    notShown: vscode.l10n.t('The message could not be shown.'),
  };
}

/** JSON that cannot end its script element or start markup inside it. */
function jsonInHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function messageViewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, remoteImages = false): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString();
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'message.css')).toString();
  const csp = contentSecurityPolicy(webview.cspSource, nonce, remoteImages);
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${attr(style)}">
<title>${attr(vscode.l10n.t('Message'))}</title>
</head>
<body>
<main id="message" aria-busy="true">
  <header id="header">
    <div id="title-row">
      <h1 id="subject"></h1>
      <div id="actions" role="toolbar" aria-label="${attr(vscode.l10n.t('Message actions'))}">
        <vscode-button appearance="secondary" id="action-source" aria-label="${attr(vscode.l10n.t('Show Source'))}">${attr(vscode.l10n.t('Source'))}</vscode-button>
        <vscode-button appearance="secondary" id="action-save" aria-label="${attr(vscode.l10n.t('Save as .eml file'))}">${attr(vscode.l10n.t('Save .eml'))}</vscode-button>
        <vscode-button appearance="secondary" id="action-copy" aria-label="${attr(vscode.l10n.t('Copy as .eml to the clipboard'))}">${attr(vscode.l10n.t('Copy .eml'))}</vscode-button>
      </div>
    </div>
    <dl id="fields">
      <dt>${attr(vscode.l10n.t('From'))}</dt><dd id="from"><bdi id="from-name"></bdi> <span id="from-address"></span></dd>
      <dt>${attr(vscode.l10n.t('To'))}</dt><dd id="to"></dd>
      <dt id="cc-label" hidden>${attr(vscode.l10n.t('Cc'))}</dt><dd id="cc" hidden></dd>
      <dt>${attr(vscode.l10n.t('Date'))}</dt><dd><time id="date"></time></dd>
    </dl>
    <p id="security" hidden><span class="lock" aria-hidden="true"></span><span id="security-text"></span></p>
  </header>
  <div id="notices" role="note" hidden></div>
  <p id="file-links-off" role="note" hidden>${attr(vscode.l10n.t('Links to files of this workspace are off in Restricted Mode. Trust the folder to open them from here.'))}</p>
  <div id="remote-banner" role="region" aria-label="${attr(vscode.l10n.t('Remote content'))}" hidden>
    <span id="remote-text">${attr(vscode.l10n.t('Remote images in this message were blocked to protect your privacy.'))}</span>
    <span class="banner-actions">
      <vscode-button id="load-remote">${attr(vscode.l10n.t('Load remote content'))}</vscode-button>
      <vscode-button appearance="secondary" id="trust-sender">${attr(vscode.l10n.t('Always for this sender'))}</vscode-button>
    </span>
  </div>
  <section id="attachments" aria-labelledby="attachments-title" hidden>
    <h2 id="attachments-title">${attr(vscode.l10n.t('Attachments'))}</h2>
    <ul id="attachment-list"></ul>
  </section>
  <div id="view-toggle" role="group" aria-label="${attr(vscode.l10n.t('Show the message as'))}" hidden>
    <vscode-button appearance="secondary" id="show-html" aria-pressed="true">HTML</vscode-button>
    <vscode-button appearance="secondary" id="show-text" aria-pressed="false">${attr(vscode.l10n.t('Plain text'))}</vscode-button>
  </div>
  <div id="status" role="status"><vscode-progress-ring id="loading"></vscode-progress-ring><span id="status-text">${attr(vscode.l10n.t('Loading message\u2026'))}</span></div>
  <div id="body"></div>
</main>
<script type="application/json" id="view-strings">${jsonInHtml(viewStrings())}</script>
<script type="module" nonce="${attr(nonce)}" src="${attr(script)}"></script>
</body>
</html>`;
}
