// What stays on the server, per account: the choices Thunderbird offers.

/** Retention on the server. */
export interface RetentionPolicy {
  /** Delete from the server right after a safe (fsynced) download. */
  readonly deleteAfterDownload?: boolean;
  /** Delete from the server once a message was downloaded this many days ago. */
  readonly deleteAfterDays?: number;
  /** Delete from the server when the user deletes the message locally. */
  readonly deleteWhenDeletedLocally?: boolean;
}

export interface DownloadPolicy {
  /** Messages larger than this (bytes, as LIST says) are stored headers-only. */
  readonly maxMessageSize?: number;
  /** On the first sync of an account, download only the newest N messages. */
  readonly newestOnFirstSync?: number;
}

/** Why a message is deleted from the server. */
export type DeleteRule = 'after-download' | 'after-days' | 'deleted-locally';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** True when any rule may delete mail from the server. */
export function deletes(policy: RetentionPolicy): boolean {
  return policy.deleteAfterDownload === true || policy.deleteAfterDays !== undefined || policy.deleteWhenDeletedLocally === true;
}
