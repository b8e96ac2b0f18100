// Messages between the host (search-service.ts) and a search worker
// (search-worker.ts). One worker per account store, started with the
// store's folder as workerData.

import type { IndexEntry, SearchResult } from './account-index';

export interface SearchWorkerData {
  readonly dir: string;
}

export type SearchRequest =
  /** The store's whole entry list: index what is missing, drop what is gone. */
  | { readonly type: 'sync'; readonly entries: readonly IndexEntry[] }
  /**
   * Messages stored (or re-stored) since. Entry i's bytes, when the host still
   * had them, are bytes[spans[2i], spans[2i+1]); -1 means read its file.
   */
  | { readonly type: 'add'; readonly entries: readonly IndexEntry[]; readonly bytes?: Uint8Array; readonly spans?: readonly number[] }
  | { readonly type: 'flags'; readonly entries: readonly IndexEntry[] }
  | { readonly type: 'remove'; readonly ids: readonly string[] }
  | { readonly type: 'query'; readonly seq: number; readonly text: string; readonly limit: number; readonly lastWordPrefix: boolean }
  /** Save now (before the worker is stopped). */
  | { readonly type: 'flush'; readonly seq: number };

export type SearchResponse =
  | { readonly type: 'result'; readonly seq: number; readonly result: SearchResult }
  | { readonly type: 'flushed'; readonly seq: number }
  | { readonly type: 'error'; readonly seq: number; readonly message: string }
  /** After a sync: how many messages the index holds, and why a saved index was not used. */
  | { readonly type: 'synced'; readonly size: number; readonly damaged: string; readonly added: number; readonly removed: number };
