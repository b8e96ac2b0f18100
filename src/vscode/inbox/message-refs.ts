// Which message(s) a command is about. Commands are called three ways: from
// a tree row's click (`pop3Mail.openMessage` with an account key and a
// message id), from a row's context menu (the row's node, plus every
// selected node when several are selected), and from the palette or a
// keybinding (nothing: use the tree's selection). Pure: no vscode import.

export interface MessageRef {
  readonly accountKey: string;
  readonly messageId: string;
}

function asRef(value: unknown): MessageRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, accountKey, messageId } = value as { kind?: unknown; accountKey?: unknown; messageId?: unknown };
  if (kind !== 'message' || typeof accountKey !== 'string' || typeof messageId !== 'string') return undefined;
  return { accountKey, messageId };
}

/**
 * The messages a command call refers to: `(key, id)`, `(node)`, or
 * `(node, selectedNodes)` (the selection wins when it includes the node, as
 * in VS Code's explorer). Anything else yields an empty list.
 */
export function messageRefs(...args: unknown[]): MessageRef[] {
  const [first, second] = args;
  if (typeof first === 'string' && typeof second === 'string') return [{ accountKey: first, messageId: second }];
  const one = asRef(first);
  if (Array.isArray(second)) {
    const many = second.map(asRef).filter((r): r is MessageRef => r !== undefined);
    if (one && many.some((r) => r.accountKey === one.accountKey && r.messageId === one.messageId)) return many;
  }
  return one ? [one] : [];
}

/** The one message a single-message command names: `(key, id)` or `(node)`; the clicked node, not the selection. */
export function messageRef(...args: unknown[]): MessageRef | undefined {
  const [first, second] = args;
  if (typeof first === 'string' && typeof second === 'string') return { accountKey: first, messageId: second };
  return asRef(first);
}
