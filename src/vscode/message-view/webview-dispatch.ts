// What the host does with a message from the message view (docs/security.md T37).
// The webview shows hostile content, so it is treated as compromised: every
// message is validated (../shared/validate), attachment ids must be ids the
// host itself handed out for the message on screen, `path:line` references
// must be ones the host found in that message, and links must be
// http/https/mailto. Anything else is dropped. No vscode import: unit tests
// drive it with a recorder.

import type { MessageCommand } from '../../shared/webview-protocol';
import { parseFromWebview } from '../../shared/validate';

/** What the host knows about the message on screen. */
export interface ViewerState {
  /** Opaque attachment id -> MIME part path, for the message on screen only. */
  readonly attachments: ReadonlyMap<string, string>;
  readonly fileRefs: ReadonlySet<string>;
  /** False while loading or after an error: actions on a message are dropped. */
  readonly hasMessage: boolean;
  /** A message is being or was attempted to be shown: Show Source / Save / Copy work even when it could not be parsed. */
  readonly hasSource: boolean;
  readonly canTrustSender: boolean;
}

export interface ViewerActions {
  ready(): void;
  openLink(href: string): void;
  loadRemote(): void;
  trustSender(): void;
  saveAttachment(partPath: string): void;
  openAttachment(partPath: string): void;
  openFile(ref: string): void;
  command(command: MessageCommand): void;
  /** A message that was dropped, with the reason (for the log, never shown). */
  dropped(reason: string): void;
}

/** Dispatches one raw message from the webview. Returns true when it led to an action. */
export function handleWebviewMessage(raw: unknown, state: ViewerState, actions: ViewerActions): boolean {
  const message = parseFromWebview(raw);
  if (!message) {
    actions.dropped('invalid message');
    return false;
  }
  if (message.type === 'ready') {
    actions.ready();
    return true;
  }
  if (message.type === 'command' && state.hasSource) {
    actions.command(message.command);
    return true;
  }
  if (!state.hasMessage) {
    actions.dropped(`${message.type} while no message is shown`);
    return false;
  }
  switch (message.type) {
    case 'openLink':
      actions.openLink(message.href);
      return true;
    case 'loadRemote':
      actions.loadRemote();
      return true;
    case 'trustSender':
      if (!state.canTrustSender) {
        actions.dropped('trustSender without a sender address');
        return false;
      }
      actions.trustSender();
      return true;
    case 'saveAttachment':
    case 'openAttachment': {
      // A Map, not an object: "__proto__" or "constructor" are never ids we made.
      const path = state.attachments.get(message.id);
      if (path === undefined) {
        actions.dropped(`${message.type}: unknown attachment id`);
        return false;
      }
      if (message.type === 'saveAttachment') actions.saveAttachment(path);
      else actions.openAttachment(path);
      return true;
    }
    case 'openFile':
      if (!state.fileRefs.has(message.ref)) {
        actions.dropped('openFile: not a reference from this message');
        return false;
      }
      actions.openFile(message.ref);
      return true;
    case 'command':
      actions.command(message.command);
      return true;
    default: {
      const unhandled: never = message;
      void unhandled;
      return false;
    }
  }
}
