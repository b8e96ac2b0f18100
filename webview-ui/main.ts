// The message view's script. Listens for the host's messages, then tells the
// host it is ready; the host never puts message data into the HTML.
import type { FromWebview, ToWebview } from '../src/shared/webview-protocol';
import { FrameLinks } from './links';
import { refreshBody, setMode, showError, showMessage } from './render';
import { registerToolkit } from './toolkit';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromWebview): void => vscode.postMessage(message);
const links = new FrameLinks();

function isToWebview(data: unknown): data is ToWebview {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

function onHostMessage(message: ToWebview): void {
  switch (message.type) {
    case 'show':
      showMessage(message.message, message.options, post, links);
      return;
    case 'error':
      showError(message.text, message.subject);
      return;
    default: {
      const unknownType: never = message;
      void unknownType;
    }
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) onHostMessage(event.data);
});

// A click on a link in a sandboxed HTML frame: the CSP blocked the frame's
// navigation to the link's stand-in URL (links.ts); ask the host to open the real one.
document.addEventListener('securitypolicyviolation', (event) => {
  const href = links.resolve(event.blockedURI);
  if (href === undefined) return;
  post({ type: 'openLink', href });
  // The blocked navigation left an error page in the frame: put the message back.
  refreshBody(post, links);
});

function onClick(id: string, action: () => void): void {
  document.getElementById(id)?.addEventListener('click', action);
}

onClick('load-remote', () => post({ type: 'loadRemote' }));
onClick('trust-sender', () => post({ type: 'trustSender' }));
onClick('action-source', () => post({ type: 'command', command: 'showSource' }));
onClick('action-save', () => post({ type: 'command', command: 'saveAsEml' }));
onClick('action-copy', () => post({ type: 'command', command: 'copyAsEml' }));
onClick('show-html', () => setMode('html', post, links));
onClick('show-text', () => setMode('text', post, links));

try {
  registerToolkit();
} catch (error) {
  // The message must still show without the toolkit's styling.
  console.error('POP3 Mail: toolkit registration failed', error);
}

post({ type: 'ready' });
