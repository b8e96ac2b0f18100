// What the user is told after a fetch: warnings, a suspected server
// migration, new mail (a notification for an automatic check, the status
// bar for one they asked for), and a failure with the actions that can fix
// it. Server and message text goes through the notification's escaping.
import * as vscode from 'vscode';
import { Pop3Error } from '../../pop3/errors';
import { CertificateError } from '../../pop3/transport';
import { StoreBusyError } from '../../store/lock';
import { accountKey, type AccountConfig } from '../../sync/account';
import type { FetchResult } from '../../sync/fetch';
import { COMMANDS, FOCUS_INBOX } from '../common/commands';
import { setting } from '../common/config';
import { describeError } from '../common/errors';
import { displayLine, forNotification, forStatusBar } from '../common/surface-text';

/** What the notices need from the fetch service. */
export interface Notices {
  readonly log: vscode.LogOutputChannel;
  /** Runs the fetch again (Retry; Download All accepts ids never seen before). */
  fetchAgain(account: AccountConfig, acceptNewUidls?: boolean): unknown;
  /** The account's own notifyNewMail, if it has one. */
  notifyNewMail(account: AccountConfig): boolean | undefined;
}

/** After a fetch: its warnings, a suspected server migration, new mail. */
export function announceResult(account: AccountConfig, result: FetchResult, request: { readonly background?: boolean }, notices: Notices): void {
  const name = forNotification(account.name, 120);
  for (const warning of result.warnings) notices.log.warn(`fetch ${displayLine(account.name, 120)}: ${displayLine(warning, 500)}`);
  const anomaly = result.plan.anomaly;
  if (anomaly) {
    const message = vscode.l10n.t(
      'POP3 Mail: all {0} messages on {1} have ids never seen before, although the server kept mail last time (a server migration?). Nothing was downloaded. Download them all again? This may create duplicates.',
      anomaly.count,
      name,
    );
    const all = vscode.l10n.t('Download All');
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window.showWarningMessage(message, all, showLog).then((choice) => {
      if (choice === all) void notices.fetchAgain(account, true);
      else if (choice === showLog) notices.log.show(true);
    });
    return;
  }
  const [first] = result.warnings;
  if (first !== undefined) {
    const text = forNotification(first, 300);
    const showLog = vscode.l10n.t('Show Log');
    const message =
      result.warnings.length > 1 ? vscode.l10n.t('POP3 Mail: {0}: {1} (and {2} more in the log)', name, text, result.warnings.length - 1) : vscode.l10n.t('POP3 Mail: {0}: {1}', name, text);
    void vscode.window.showWarningMessage(message, showLog).then((choice) => {
      if (choice === showLog) notices.log.show(true);
    });
  }
  const fresh = result.downloaded + result.headersOnly;
  if (fresh > 0 && (notices.notifyNewMail(account) ?? setting('notifyNewMail'))) {
    const newMail = (who: string): string => (fresh === 1 ? vscode.l10n.t('POP3 Mail: {0} new message for {1}', fresh, who) : vscode.l10n.t('POP3 Mail: {0} new messages for {1}', fresh, who));
    if (request.background) {
      const show = vscode.l10n.t('Show Inbox');
      void vscode.window.showInformationMessage(newMail(name), show).then((choice) => {
        if (choice === show) void vscode.commands.executeCommand(FOCUS_INBOX);
      });
    } else {
      vscode.window.setStatusBarMessage(newMail(forStatusBar(account.name, 60)), 5000);
    }
  }
}

/** Shows a failed fetch's error without waiting for it: a notification can stay open for a long time. */
export function reportFailure(account: AccountConfig, error: unknown, notices: Notices): void {
  const message = describeError(vscode.l10n.t('POP3 Mail: fetching {0} failed', forNotification(account.name, 120)), error);
  const transient = (Pop3Error.is(error) && error.isTransient()) || StoreBusyError.is(error);
  const retry = vscode.l10n.t('Retry');
  const edit = vscode.l10n.t('Edit Account');
  const changePassword = vscode.l10n.t('Change Password');
  const trust = vscode.l10n.t('Trust Certificate...');
  const showLog = vscode.l10n.t('Show Log');
  const actions: string[] = [];
  if (error instanceof CertificateError && error.certificate) actions.push(trust);
  if (Pop3Error.is(error, 'AuthFailed')) actions.push(changePassword);
  actions.push(transient ? retry : edit, showLog);
  const key = accountKey(account);
  void vscode.window.showErrorMessage(message, ...actions).then((choice) => {
    if (choice === retry) void notices.fetchAgain(account);
    else if (choice === edit) void vscode.commands.executeCommand(COMMANDS.editAccount, key);
    else if (choice === changePassword) void vscode.commands.executeCommand(COMMANDS.changePassword, key);
    else if (choice === trust) void vscode.commands.executeCommand(COMMANDS.trustCertificate, key);
    else if (choice === showLog) notices.log.show(true);
  });
}
