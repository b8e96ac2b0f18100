// Commands on messages in the tree: open (preview, kept open, to the side),
// mark read/unread, delete (here, and on the server when the account's
// policy says so) and restore, download the full message, show more.
import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_KEYS } from '../common/commands';
import { Pop3Error } from '../../pop3/errors';
import { accountKey } from '../../sync/account';
import { downloadFull } from '../../sync/full';
import type { Accounts } from '../accounts/accounts';
import { setting } from '../common/config';
import { describeError, logError } from '../common/errors';
import type { FetchService } from '../fetch/fetch-service';
import { messageRefs, type MessageRef } from './message-refs';
import type { Passwords } from '../accounts/passwords';
import { askPassword } from '../common/prompts';
import { withAbortableProgress } from '../common/progress';
import type { Stores } from '../common/stores';
import { displayLine, forModal, forNotification } from '../common/surface-text';
import { formatBytes } from '../common/text';
import { type InboxNode } from './tree-nodes';
import type { InboxTree } from './inbox-tree';
import type { OpenMessageOptions } from '../message-view/message-view-manager';

/** What the message panel offers (MessageViewManager). */
export interface MessageOpener {
  open(accountKey: unknown, messageId: unknown, options?: OpenMessageOptions): Promise<void>;
}

/** Two opens of the same row within this time are a double click: keep it open. */
const DOUBLE_CLICK_MS = 500;

export class InboxCommands {
  private lastOpen: { key: string; id: string; at: number } | undefined;

  constructor(
    private readonly accounts: Accounts,
    private readonly stores: Stores,
    private readonly passwords: Passwords,
    private readonly fetcher: FetchService,
    private readonly tree: InboxTree,
    private readonly view: vscode.TreeView<InboxNode>,
    private readonly opener: MessageOpener,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(COMMANDS.openMessage, (...args: unknown[]) => this.openFromClick(args)),
      vscode.commands.registerCommand(COMMANDS.openMessageKeep, (...args: unknown[]) => this.open(this.refs(args), { preview: false })),
      vscode.commands.registerCommand(COMMANDS.openMessageToSide, (...args: unknown[]) =>
        this.open(this.refs(args), { preview: false, viewColumn: vscode.ViewColumn.Beside }),
      ),
      vscode.commands.registerCommand(COMMANDS.markRead, (...args: unknown[]) => this.setSeen(this.refs(args), true)),
      vscode.commands.registerCommand(COMMANDS.markUnread, (...args: unknown[]) => this.setSeen(this.refs(args), false)),
      vscode.commands.registerCommand(COMMANDS.deleteMessage, (...args: unknown[]) => this.delete(this.refs(args))),
      vscode.commands.registerCommand(COMMANDS.restoreMessage, (...args: unknown[]) => this.restore(this.refs(args))),
      vscode.commands.registerCommand(COMMANDS.downloadFull, (...args: unknown[]) => this.downloadFull(this.refs(args))),
      vscode.commands.registerCommand(COMMANDS.showMore, (node: unknown) => this.tree.showMore(node)),
      // Enter on a message keeps it open (package.json keybinding, when a message is selected).
      this.view.onDidChangeSelection((e) => {
        const one = e.selection.length === 1 && e.selection[0]!.kind === 'message';
        void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.messageSelected, one);
      }),
    ];
  }

  /** Arguments from a click or a context menu, else the tree's selection (palette, keybinding). */
  private refs(args: unknown[]): MessageRef[] {
    const refs = messageRefs(...args);
    return refs.length > 0 ? refs : messageRefs(this.view.selection[0], [...this.view.selection]);
  }

  /** A click opens the preview; a second click on the same row right after (a double click) keeps it open. */
  private async openFromClick(args: unknown[]): Promise<void> {
    const [ref] = this.refs(args);
    if (!ref) return;
    this.tree.noteRowOpened();
    const now = Date.now();
    const last = this.lastOpen;
    const double = last !== undefined && last.key === ref.accountKey && last.id === ref.messageId && now - last.at < DOUBLE_CLICK_MS;
    this.lastOpen = double ? undefined : { key: ref.accountKey, id: ref.messageId, at: now };
    await this.open([ref], double ? { preview: false } : { preview: true });
  }

  private async open(refs: MessageRef[], options: OpenMessageOptions): Promise<void> {
    const [ref] = refs;
    if (!ref) {
      void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: select a message in the Inbox first.'));
      return;
    }
    this.log.debug(`open ${ref.messageId} (${options.preview ? 'preview' : 'kept open'}${options.viewColumn === vscode.ViewColumn.Beside ? ', to the side' : ''})`);
    // Read as soon as it is shown; the panel may take a while to parse a large message.
    if (setting('markReadOnOpen')) await this.setSeen([ref], true, true);
    await this.opener.open(ref.accountKey, ref.messageId, options);
  }

  private async setSeen(refs: MessageRef[], seen: boolean, quiet = false): Promise<void> {
    for (const ref of refs) {
      const found = await this.find(ref, quiet);
      if (!found || found.summary.seen === seen) continue;
      try {
        // The tree follows the store (its onDidChange).
        found.store.setSeen(ref.messageId, seen);
      } catch (error) {
        this.log.error(`marking ${ref.messageId} ${seen ? 'read' : 'unread'}: ${logError(error)}`);
        if (!quiet) void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not change the message'), error));
      }
    }
  }

  private async find(ref: MessageRef, quiet = false) {
    const account = this.accounts.byKey(ref.accountKey);
    if (!account) {
      if (!quiet) void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that account is no longer configured.'));
      return undefined;
    }
    const store = await this.stores.get(account);
    const summary = store.get(ref.messageId);
    if (!summary) {
      if (!quiet) void vscode.window.showErrorMessage(vscode.l10n.t('POP3 Mail: that message is no longer in the local store.'));
      return undefined;
    }
    return { account, store, summary };
  }

  /** Local delete (Maildir T flag); on the server too at the next fetch when the account's policy says so. */
  private async delete(refs: MessageRef[]): Promise<void> {
    if (refs.length === 0) return;
    // A row under Deleted is deleted already (the Delete key there does nothing).
    const found = (await Promise.all(refs.map((r) => this.find(r)))).filter((f) => f !== undefined).filter((f) => f.summary.trashed !== true);
    if (found.length === 0) return;
    const keys = new Set(found.map((f) => accountKey(f.account)));
    const onServer = [...keys].filter((k) => this.accounts.policyOf(k).retention.deleteWhenDeletedLocally === true);
    const subject = found.length === 1 ? subjectOf(found[0]!.summary) : undefined;
    const detail =
      onServer.length === keys.size
        ? vscode.l10n.t('It is also deleted from the server: this account deletes mail on the server when you delete it here. This cannot be undone.')
        : onServer.length > 0
          ? vscode.l10n.t('Messages of accounts that delete mail deleted here are also deleted from the server; the others stay on their server.')
          : vscode.l10n.t('The copy on the server is kept (this account leaves mail on the server); it will not be downloaded again.');
    const action = onServer.length > 0 ? vscode.l10n.t('Delete Here and on Server') : vscode.l10n.t('Delete');
    const question = subject !== undefined ? vscode.l10n.t('Delete "{0}"?', forModal(subject, 80)) : vscode.l10n.t('Delete {0} messages?', found.length);
    const choice = await vscode.window.showWarningMessage(question, { modal: true, detail }, action);
    if (choice !== action) return;
    const undoable: MessageRef[] = [];
    for (const f of found) {
      try {
        f.store.trash(f.summary.id);
        this.log.info(`deleted locally: ${f.summary.id} of ${displayLine(f.account.name)}`);
        const key = accountKey(f.account);
        if (!onServer.includes(key)) undoable.push({ accountKey: key, messageId: f.summary.id });
      } catch (error) {
        this.log.error(`deleting ${f.summary.id}: ${logError(error)}`);
        void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not delete the message'), error));
      }
    }
    // What stays here can come back: at once with Undo, later with Restore under Deleted.
    if (undoable.length > 0) {
      const done =
        subject !== undefined
          ? vscode.l10n.t('POP3 Mail: deleted "{0}".', forNotification(subject, 80))
          : undoable.length === 1
            ? vscode.l10n.t('POP3 Mail: deleted {0} message.', undoable.length)
            : vscode.l10n.t('POP3 Mail: deleted {0} messages.', undoable.length);
      const undo = vscode.l10n.t('Undo');
      void vscode.window.showInformationMessage(done, undo).then((choice) => {
        if (choice === undo) void this.restore(undoable);
      });
    }
    // The server copy goes at the next fetch; start it now so "deleted" means deleted.
    for (const key of onServer) {
      const account = this.accounts.byKey(key);
      if (account) void this.fetcher.fetchAccount(account, { background: true });
    }
  }

  /** Brings messages deleted here back to the Inbox, with their read state. Not those deleted on the server too. */
  private async restore(refs: MessageRef[]): Promise<void> {
    for (const ref of refs) {
      const found = await this.find(ref);
      if (!found || found.summary.trashed !== true) continue;
      const { account, store, summary } = found;
      if (this.accounts.policyOf(ref.accountKey).retention.deleteWhenDeletedLocally === true) {
        // Its server copy is deleted at the next fetch (or already was), and then it is forgotten here.
        void vscode.window.showWarningMessage(
          vscode.l10n.t('POP3 Mail: "{0}" cannot be restored: {1} deletes mail on the server when it is deleted here.', forNotification(subjectOf(summary), 80), forNotification(account.name, 120)),
        );
        continue;
      }
      try {
        store.restore(summary.id);
        this.log.info(`restored: ${summary.id} of ${displayLine(account.name)}`);
      } catch (error) {
        this.log.error(`restoring ${summary.id}: ${logError(error)}`);
        void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not restore the message'), error));
      }
    }
  }

  private async downloadFull(refs: MessageRef[]): Promise<void> {
    for (const ref of refs) {
      const found = await this.find(ref);
      if (!found) continue;
      if (!found.summary.headersOnly) {
        void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: this message is already downloaded in full.'));
        continue;
      }
      const { account, store, summary } = found;
      const name = displayLine(account.name, 120);
      const size = formatBytes(summary.serverSize ?? summary.size);
      const title = vscode.l10n.t('POP3 Mail: downloading {0} from {1}', size, forNotification(account.name, 120));
      if (account.login !== undefined) {
        // A sign-in, not a password: the session's token, refreshed once should the server refuse it.
        const oauth = { ...account, login: account.login };
        await this.completeDownload(name, summary.id, title, (signal) => {
          const session = this.fetcher.sessionOf(oauth);
          return session.withAccessToken((token) => downloadFull({ account, token, store, id: summary.id, signal, trace: this.fetcher.tracer(name, '') }), (e) => Pop3Error.is(e, 'AuthFailed'), signal);
        });
        continue;
      }
      let password = await this.passwords.get(account);
      if (password === undefined) {
        password = await askPassword(account);
        if (password === undefined) return;
        await this.passwords.set(account, password);
      }
      const secret = password;
      if (!(await this.completeDownload(name, summary.id, title, (signal) => downloadFull({ account, password: secret, store, id: summary.id, signal, trace: this.fetcher.tracer(name, secret) })))) return;
    }
  }

  /** Runs one download under a progress notification; false when it was cancelled. */
  private async completeDownload(name: string, id: string, title: string, run: (signal: AbortSignal) => Promise<{ readonly size: number }>): Promise<boolean> {
    try {
      const full = await withAbortableProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, signal) => run(signal));
      this.log.info(`downloaded in full: ${id} of ${name} (${formatBytes(full.size)})`);
    } catch (error) {
      if (Pop3Error.is(error, 'Aborted')) return false;
      this.log.error(`download full ${id}: ${logError(error)}`);
      const showLog = vscode.l10n.t('Show Log');
      void vscode.window.showErrorMessage(describeError(vscode.l10n.t('POP3 Mail: could not download the full message'), error), showLog).then((c) => {
        if (c === showLog) this.log.show(true);
      });
    }
    return true;
  }
}

/** A message's subject, raw (each surface escapes it), or "(no subject)". */
function subjectOf(summary: { readonly subject: string }): string {
  return displayLine(summary.subject, 200) === '' ? vscode.l10n.t('(no subject)') : summary.subject;
}
