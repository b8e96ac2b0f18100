// Host <-> webview messages. No node, no vscode imports: both sides use these.
// Every union is discriminated by a readonly `type` and switched exhaustively on
// both sides. Messages from the webview are untrusted: the host runs them
// through `parseFromWebview` (./validate) before looking at them.

/** What the message view shows; built by the host from the parsed message. */
export interface MessageView {
  readonly id: string;
  readonly subject: string;
  readonly from: { readonly name: string; readonly address: string };
  readonly to: string;
  readonly cc: string;
  /** ISO 8601, or '' when the message has no valid date. */
  readonly date: string;
  /** Plain-text body; the webview escapes it (textContent), never innerHTML. */
  readonly text: string;
}

/** Webview -> host. */
export type FromWebview =
  /** The webview script is running and listening: the host may now send `show`. */
  | { readonly type: 'ready' }
  /** The user clicked a link; the host shows the real URL and opens http/https/mailto only. */
  | { readonly type: 'openLink'; readonly href: string };

/** Host -> webview. */
export type ToWebview =
  | { readonly type: 'show'; readonly message: MessageView }
  /** Plain text (escaped and truncated by the host), shown instead of a message. */
  | { readonly type: 'error'; readonly text: string };

export type FromWebviewType = FromWebview['type'];
export type ToWebviewType = ToWebview['type'];
