// Turning errors into what the user reads. Our own message first; the
// server's text, when there is some, cleaned and truncated (docs/security.md T40).
import { Pop3Error } from '../../pop3/errors';
import { StoreBusyError } from '../../store/lock';
import { l10n } from './l10n';
import { displayLine, forNotification } from './surface-text';

/** One line for a notification (`what` is ours): "<what failed>: <why>", never raw server text. */
export function describeError(what: string, error: unknown): string {
  if (StoreBusyError.is(error)) {
    return l10n.t('{0}: another window or the command line is still fetching this account (process {1}). Try again when it has finished.', what, String(error.owner?.pid ?? '?'));
  }
  if (Pop3Error.is(error)) {
    const message = forNotification(error.message, 240);
    if (!error.serverText) return l10n.t('{0}: {1}', what, message);
    return l10n.t('{0}: {1} Server said: "{2}"', what, message, forNotification(error.serverText, 160));
  }
  if (error instanceof Error) return l10n.t('{0}: {1}', what, forNotification(error.message, 240));
  return l10n.t('{0}: {1}', what, forNotification(String(error), 240));
}

/** For the log: the code, our message and the cleaned server text. */
export function logError(error: unknown): string {
  if (Pop3Error.is(error)) {
    const server = error.serverText ? ` (server: ${displayLine(error.serverText, 500)})` : '';
    return `${error.code}: ${displayLine(error.message, 500)}${server}`;
  }
  if (error instanceof Error) return `${error.name}: ${displayLine(error.message, 500)}`;
  return displayLine(String(error), 500);
}
