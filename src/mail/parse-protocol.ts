// Messages between the extension host and the parse worker (parse-worker.ts).
// The worker gets the raw message bytes and answers with plain data.

import type { OutlineNode, ParsedMessage } from './view';

export type ParseRequest =
  | { readonly kind: 'view'; readonly id: string; readonly raw: Uint8Array }
  | { readonly kind: 'part'; readonly path: string; readonly raw: Uint8Array }
  | { readonly kind: 'outline'; readonly raw: Uint8Array };

export type ParseErrorCode = 'limit' | 'timeout' | 'memory' | 'crashed' | 'failed';

export type ParseResponse =
  | { readonly ok: true; readonly kind: 'view'; readonly result: ParsedMessage }
  | { readonly ok: true; readonly kind: 'part'; readonly bytes: Uint8Array }
  | { readonly ok: true; readonly kind: 'outline'; readonly outline: OutlineNode[] }
  | { readonly ok: false; readonly code: ParseErrorCode; readonly message: string };
