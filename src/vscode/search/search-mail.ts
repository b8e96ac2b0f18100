// "POP3 Mail: Search Mail...": full-text search over every account's mail
// (bodies, attachment names, subjects, names and addresses) through the
// search workers (src/search). Results in a QuickPick, best first, with the
// snippet as the detail; Enter opens the message. Every string from a
// message goes through forQuickPick.
import * as vscode from 'vscode';
import type { SearchHit } from '../../search/account-index';
import type { SearchService } from '../../search/search-service';
import { accountKey } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { COMMANDS } from '../common/commands';
import { logError } from '../common/errors';
import type { Stores } from '../common/stores';
import { displayLine, forQuickPick } from '../common/surface-text';
import { shortDate } from '../common/text';
import type { MailStore } from '../../store/store';

const LIMIT = 100;
const DEBOUNCE_MS = 120;

interface ResultItem extends vscode.QuickPickItem {
  readonly accountKey: string;
  readonly messageId: string;
}

export interface AccountSearchHit {
  readonly key: string;
  readonly name: string;
  readonly store: MailStore;
  readonly hit: SearchHit;
}

/** Searches every account's index; the best `limit` hits over all of them, and the total. */
export async function searchAccounts(
  accounts: Accounts,
  stores: Stores,
  search: SearchService,
  log: vscode.LogOutputChannel,
  text: string,
  limit: number,
): Promise<{ hits: AccountSearchHit[]; total: number; problems: string[] }> {
  const hits: AccountSearchHit[] = [];
  let total = 0;
  let problems: string[] = [];
  await Promise.all(
    accounts.list().map(async (account) => {
      try {
        const store = await stores.get(account);
        const r = await search.search(store, text, limit, { lastWordPrefix: true });
        total += r.total;
        problems = [...r.problems];
        for (const hit of r.hits) hits.push({ key: accountKey(account), name: account.name, store, hit });
      } catch (error) {
        log.error(`Search Mail: ${displayLine(account.name)}: ${logError(error)}`);
      }
    }),
  );
  const date = (h: AccountSearchHit): string => h.store.get(h.hit.id)?.date ?? '';
  hits.sort((a, b) => b.hit.score - a.hit.score || (date(a) < date(b) ? 1 : date(a) > date(b) ? -1 : 0));
  return { hits: hits.slice(0, limit), total, problems };
}

export async function searchMail(accounts: Accounts, stores: Stores, search: SearchService, log: vscode.LogOutputChannel, initial = ''): Promise<void> {
  if (accounts.list().length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: no account yet.'));
    return;
  }
  const several = accounts.list().length > 1;
  const locale = vscode.env.language;
  const picker = vscode.window.createQuickPick<ResultItem>();
  picker.title = vscode.l10n.t('Search Mail');
  picker.placeholder = vscode.l10n.t('Words in the mail, prefix*, "a phrase"; filters: from: to: subject: has:attachment is:unread before:2026-11-01 after:2026-10');
  picker.matchOnDescription = false;
  // The QuickPick marks the typed text where it finds it in the snippet.
  picker.matchOnDetail = true;
  picker.value = initial;
  let generation = 0;

  const update = async (): Promise<void> => {
    const mine = ++generation;
    const text = picker.value;
    if (text.trim() === '') {
      picker.items = [];
      picker.title = vscode.l10n.t('Search Mail');
      return;
    }
    picker.busy = true;
    const started = Date.now();
    const { hits, total, problems } = await searchAccounts(accounts, stores, search, log, text, LIMIT);
    if (mine !== generation) return;
    picker.busy = false;
    picker.items = hits.flatMap(({ key, name, store, hit }) => {
      const m = store.get(hit.id);
      if (!m || m.trashed) return [];
      return [
        {
          label: `$(${m.seen ? 'mail-read' : 'mail'}) ${forQuickPick(m.subject, 200) || vscode.l10n.t('(no subject)')}`,
          description: [forQuickPick(m.from.name, 60) || forQuickPick(m.from.address, 80), shortDate(m.date, locale), m.hasAttachments ? '\u{1F4CE}' : '', several ? forQuickPick(name, 60) : '']
            .filter(Boolean)
            .join(' \u00b7 '),
          detail: forQuickPick(hit.snippet.text, 200) || undefined,
          alwaysShow: true,
          accountKey: key,
          messageId: m.id,
        },
      ];
    });
    const count = total === 1 ? vscode.l10n.t('{0} match', total) : vscode.l10n.t('{0} matches', total);
    const title = total > hits.length ? vscode.l10n.t('Search Mail \u2014 {0}, first {1} shown', count, hits.length) : vscode.l10n.t('Search Mail \u2014 {0}', count);
    picker.title = problems.length > 0 ? vscode.l10n.t('{0} \u00b7 not understood: {1}', title, forQuickPick(problems.join(', '), 100)) : title;
    log.trace(`Search Mail: ${total} matches in ${Date.now() - started} ms`);
  };

  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    picker.onDidChangeValue(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void update(), DEBOUNCE_MS);
    });
    picker.onDidAccept(() => {
      const [item] = picker.selectedItems;
      if (!item) return;
      picker.hide();
      void vscode.commands.executeCommand(COMMANDS.openMessageKeep, item.accountKey, item.messageId);
    });
    picker.onDidHide(() => {
      if (timer) clearTimeout(timer);
      generation++;
      picker.dispose();
      resolve();
    });
  });
  picker.show();
  if (initial !== '') void update();
  await done;
}
