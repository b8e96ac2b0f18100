// The message view's script. Listens for the host's messages, then tells the
// host it is ready; the host never puts message data into the HTML.
import type { FromWebview, ToWebview } from '../src/shared/messages';
import { showError, showMessage } from './render';
import { registerToolkit } from './toolkit';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

function isToWebview(data: unknown): data is ToWebview {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

function onHostMessage(message: ToWebview): void {
  switch (message.type) {
    case 'show':
      showMessage(message.message);
      return;
    case 'error':
      showError(message.text);
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

try {
  registerToolkit();
} catch (error) {
  // The message must still show without the toolkit's styling.
  console.error('POP3 Mail: toolkit registration failed', error);
}

vscode.postMessage({ type: 'ready' });
