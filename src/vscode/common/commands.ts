// Command ids, context keys and the view id, as package.json contributes and
// uses them (test/unit/commands.test.ts keeps the two in step). Pure: no
// vscode import.

export const COMMANDS = {
  addAccount: 'pop3Mail.addAccount',
  editAccount: 'pop3Mail.editAccount',
  removeAccount: 'pop3Mail.removeAccount',
  changePassword: 'pop3Mail.changePassword',
  signIn: 'pop3Mail.signIn',
  fetch: 'pop3Mail.fetch',
  fetchAll: 'pop3Mail.fetchAll',
  cancelFetch: 'pop3Mail.cancelFetch',
  serverInfo: 'pop3Mail.serverInfo',
  trustCertificate: 'pop3Mail.trustCertificate',
  revealMailFolder: 'pop3Mail.revealMailFolder',
  showLog: 'pop3Mail.showLog',
  goToMessage: 'pop3Mail.goToMessage',
  searchMail: 'pop3Mail.searchMail',
  openMessage: 'pop3Mail.openMessage',
  openMessageKeep: 'pop3Mail.openMessageKeep',
  openMessageToSide: 'pop3Mail.openMessageToSide',
  markRead: 'pop3Mail.markRead',
  markUnread: 'pop3Mail.markUnread',
  deleteMessage: 'pop3Mail.deleteMessage',
  restoreMessage: 'pop3Mail.restoreMessage',
  downloadFull: 'pop3Mail.downloadFull',
  showMore: 'pop3Mail.showMore',
  showSource: 'pop3Mail.showSource',
  saveAttachments: 'pop3Mail.saveAttachments',
  saveAsEml: 'pop3Mail.saveAsEml',
  copyAsEml: 'pop3Mail.copyAsEml',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys set with `setContext` and read by package.json `when` clauses. */
export const CONTEXT_KEYS = {
  /** Some fetch runs (shows Cancel Fetch). */
  fetching: 'pop3Mail.fetching',
  /** Which welcome the empty inbox shows (tree-nodes.ts Welcome). */
  welcome: 'pop3Mail.welcome',
  /** The tree's selection holds a message (message keybindings). */
  messageSelected: 'pop3Mail.messageSelected',
} as const;

export const INBOX_VIEW = 'pop3Mail.inbox';
/** The command VS Code derives from a view id to show and focus that view. */
export const FOCUS_INBOX = `${INBOX_VIEW}.focus`;
