// Host <-> webview messages. No node, no vscode imports: both sides use these.
// Every union is discriminated by a readonly `type` and switched exhaustively on
// both sides. Messages from the webview are untrusted: the host runs them
// through `parseFromWebview` (./validate) before looking at them.

export interface Mailbox {
  readonly name: string;
  /** The real address, always shown next to the name (docs/security.md T32). */
  readonly address: string;
}

/** One displayable unit of the body: a single part, or both forms of a multipart/alternative. */
export interface BodyPart {
  /** Raw HTML of one MIME part, decoded to a string. The webview sanitizes it on its own (T35). */
  readonly html?: string;
  /** Plain text; the webview escapes it (textContent), never innerHTML. */
  readonly text?: string;
}

/** What the webview knows about an attachment: never its bytes, never a path. */
export interface AttachmentInfo {
  /** Opaque id, meaningful only to the host, for the message currently shown. */
  readonly id: string;
  /** Made safe by safeFileName (T27). */
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
}

/** A `cid:` image as a small data: URL built by the host. */
export interface InlineImage {
  readonly cid: string;
  readonly dataUrl: string;
}

/** What the message view shows; built on the host side from the parsed message. */
export interface MessageView {
  readonly id: string;
  readonly subject: string;
  readonly from: Mailbox;
  readonly to: string;
  readonly cc: string;
  /** ISO 8601, or '' when the message has no valid date. */
  readonly date: string;
  readonly body: readonly BodyPart[];
  readonly attachments: readonly AttachmentInfo[];
  readonly inlineImages: readonly InlineImage[];
  /** Things the user should know (a part was cut, the structure is broken, ...). Plain text. */
  readonly notices: readonly string[];
}

/** How the host wants the message shown. */
export interface ViewOptions {
  /** 'allowed' only after the user asked for it; the panel CSP then has `img-src https:` too. */
  readonly remote: 'blocked' | 'allowed';
  /** False only with the test-only setting pop3Mail.test.disableSanitizer. */
  readonly sanitize: boolean;
  /** The account's transport security, e.g. "TLS, certificate verified"; '' when unknown. */
  readonly security: string;
  /** `path:line` references in the plain text that exist in the workspace. */
  readonly fileRefs: readonly string[];
  /** The text has such references, and they are not links because the workspace is not trusted (Restricted Mode). */
  readonly fileRefsOff: boolean;
  /** False for .eml files without a sender address. */
  readonly canTrustSender: boolean;
  /** Where the message comes from: the mail store, or an .eml file. */
  readonly source: 'store' | 'file';
}

/**
 * The view's own words, translated by the host (vscode.l10n) and put into the
 * template as JSON (they are not message data). `{0}` is a placeholder.
 */
export interface ViewStrings {
  readonly noSubject: string;
  readonly noDate: string;
  readonly none: string;
  readonly unknownSender: string;
  readonly noAddress: string;
  readonly oneAttachment: string;
  /** {0}: how many */
  readonly attachments: string;
  readonly save: string;
  /** {0}: the attachment's name */
  readonly saveLabel: string;
  readonly open: string;
  /** {0}: the attachment's name or a `path:line` reference */
  readonly openLabel: string;
  readonly content: string;
  /** {0}: the part's number */
  readonly contentPart: string;
  readonly noText: string;
  readonly remoteOne: string;
  /** {0}: how many */
  readonly remoteMany: string;
  readonly notShown: string;
}

export type MessageCommand = 'showSource' | 'saveAsEml' | 'copyAsEml';

/** Webview -> host. */
export type FromWebview =
  /** The webview script is running and listening: the host may now send `show`. */
  | { readonly type: 'ready' }
  /** The user clicked a link; the host shows the real URL and opens http/https/mailto only. */
  | { readonly type: 'openLink'; readonly href: string }
  /** Re-render this message with remote images (https only). */
  | { readonly type: 'loadRemote' }
  /** Always load remote images from this message's sender. */
  | { readonly type: 'trustSender' }
  | { readonly type: 'saveAttachment'; readonly id: string }
  | { readonly type: 'openAttachment'; readonly id: string }
  /** A `path:line` reference the host listed in ViewOptions.fileRefs. */
  | { readonly type: 'openFile'; readonly ref: string }
  | { readonly type: 'command'; readonly command: MessageCommand };

/** Host -> webview. */
export type ToWebview =
  | { readonly type: 'show'; readonly message: MessageView; readonly options: ViewOptions }
  /** Plain text (escaped and truncated by the host), shown instead of a message; the subject from the inbox index, when known. */
  | { readonly type: 'error'; readonly text: string; readonly subject?: string };

export type FromWebviewType = FromWebview['type'];
export type ToWebviewType = ToWebview['type'];
