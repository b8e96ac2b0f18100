// "POP3 Mail: Go to Message...": a QuickPick over the summary index of every
// account. Our own fuzzy search and filters (messageQuery.ts) choose the
// items; they are all `alwaysShow`, so the QuickPick's label filter never
// hides a message that matched on its sender or through a filter.
import * as vscode from 'vscode';
import { COMMANDS } from '../common/commands';
import type { MessageSummary } from '../../store/types';
import { accountKey } from '../../sync/account';
import type { Accounts } from '../accounts/accounts';
import { logError } from '../common/errors';
import { hasFilters, parseQuery, searchMessages, type Hit } from './message-query';
import type { Stores } from '../common/stores';
import { displayLine, forQuickPick } from '../common/surface-text';
import { shortDate } from '../common/text';
import type { SearchService } from '../../search/search-service';
import { searchAccounts } from './search-mail';

/** Items shown at most; the title says how many matched. */
const LIMIT = 200;
const DEBOUNCE_MS = 80;

interface MessageItem extends vscode.QuickPickItem {
  readonly accountKey: string;
  readonly messageId: string;
}

export async function goToMessage(accounts: Accounts, stores: Stores, log: vscode.LogOutputChannel, initial = '', search?: SearchService): Promise<void> {
  const all = accounts.list();
  if (all.length === 0) {
    const add = vscode.l10n.t('Add Account');
    void vscode.window.showInformationMessage(vscode.l10n.t('POP3 Mail: no account yet.'), add).then((c) => {
      if (c === add) void vscode.commands.executeCommand(COMMANDS.addAccount);
    });
    return;
  }
  const lists: { key: string; name: string; list: readonly MessageSummary[] }[] = [];
  for (const account of all) {
    try {
      lists.push({ key: accountKey(account), name: forQuickPick(account.name, 60), list: (await stores.get(account)).list() });
    } catch (error) {
      log.error(`Go to Message: reading ${displayLine(account.name)}: ${logError(error)}`);
    }
  }
  const locale = vscode.env.language;
  const several = lists.length > 1;
  const picker = vscode.window.createQuickPick<MessageItem>();
  picker.title = vscode.l10n.t('Go to Message');
  picker.placeholder = vscode.l10n.t('Subject or sender (fuzzy); filters: from: subject: has:attachment is:unread is:read before:2026-11-01 after:2026-10');
  picker.matchOnDescription = false;
  picker.matchOnDetail = false;
  picker.value = initial;

  let generation = 0;
  const update = (): void => {
    const mine = ++generation;
    const query = parseQuery(picker.value);
    const hits: (Hit<MessageSummary> & { key: string; name: string })[] = [];
    let total = 0;
    const started = Date.now();
    for (const { key, name, list } of lists) {
      const r = searchMessages(list, query, LIMIT);
      total += r.total;
      for (const h of r.hits) hits.push({ ...h, key, name });
    }
    if (several) hits.sort((a, b) => b.score - a.score || (a.message.date < b.message.date ? 1 : a.message.date > b.message.date ? -1 : 0));
    picker.items = hits.slice(0, LIMIT).map(({ message: m, key, name }) => ({
      label: `$(${m.seen ? 'mail-read' : 'mail'}) ${forQuickPick(m.subject, 200) || vscode.l10n.t('(no subject)')}`,
      description: [forQuickPick(m.from.name, 60) || forQuickPick(m.from.address, 80), shortDate(m.date, locale), m.hasAttachments ? '\u{1F4CE}' : '', several ? name : '']
        .filter(Boolean)
        .join(' \u00b7 '),
      detail: forQuickPick(m.snippet, 160) || undefined,
      alwaysShow: true,
      accountKey: key,
      messageId: m.id,
    }));
    const shown = Math.min(total, LIMIT);
    const searched = picker.value.trim() !== '';
    const count = !(searched || hasFilters(query)) ? vscode.l10n.t('newest first') : total === 1 ? vscode.l10n.t('{0} match', total) : vscode.l10n.t('{0} matches', total);
    const title = total > shown ? vscode.l10n.t('Go to Message \u2014 {0}, first {1} shown', count, shown) : vscode.l10n.t('Go to Message \u2014 {0}', count);
    picker.title = query.problems.length > 0 ? vscode.l10n.t('{0} \u00b7 not understood: {1}', title, query.problems.join(', ')) : title;
    log.trace(`Go to Message: ${total} matches in ${Date.now() - started} ms`);
    // Words are also looked up in the full-text index: messages that have them
    // in the body or an attachment name follow the subject and sender matches.
    if (search && query.words.length > 0) {
      const value = picker.value;
      void searchAccounts(accounts, stores, search, log, value, LIMIT).then(({ hits: found }) => {
        if (mine !== generation || picker.value !== value) return;
        const shownIds = new Set(picker.items.map((i) => `${i.accountKey}/${i.messageId}`));
        const extra: MessageItem[] = [];
        for (const { key, name, store, hit } of found) {
          const m = store.get(hit.id);
          if (!m || m.trashed || shownIds.has(`${key}/${m.id}`) || picker.items.length + extra.length >= LIMIT) continue;
          extra.push({
            label: `$(${m.seen ? 'mail-read' : 'mail'}) ${forQuickPick(m.subject, 200) || vscode.l10n.t('(no subject)')}`,
            description: [forQuickPick(m.from.name, 60) || forQuickPick(m.from.address, 80), shortDate(m.date, locale), several ? forQuickPick(name, 60) : ''].filter(Boolean).join(' \u00b7 '),
            detail: forQuickPick(hit.snippet.text, 160) || undefined,
            alwaysShow: true,
            accountKey: key,
            messageId: m.id,
          });
        }
        if (extra.length > 0) picker.items = [...picker.items, ...extra];
      });
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    picker.onDidChangeValue(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(update, DEBOUNCE_MS);
    });
    picker.onDidAccept(() => {
      const [item] = picker.selectedItems;
      picker.hide();
      if (item) void vscode.commands.executeCommand(COMMANDS.openMessageKeep, item.accountKey, item.messageId);
    });
    picker.onDidHide(() => {
      if (timer) clearTimeout(timer);
      picker.dispose();
      resolve();
    });
  });
  update();
  picker.show();
  await done;
}
