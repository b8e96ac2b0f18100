import { MailStore } from '../store/store';
import { fetchMail, type FetchResult } from '../sync/fetch';
import type { SyncPlan } from '../sync/plan';
import { parseArgs, parsePort, UsageError } from './args';
import { oneLine, parseAuth, parseCount, parseSecurity, readStdin, write } from './common';
import { tokenFromCommand } from './token-command';

/** Exit code when the run needs a decision the user has not given (T26). */
export const EXIT_NEEDS_CONFIRMATION = 7;

export async function cmdFetch(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, {
    values: ['host', 'port', 'user', 'ca', 'store', 'security', 'auth', 'pin', 'delete-after-days', 'max-size', 'newest', 'token-command', 'wait'],
    flags: ['json', 'password-stdin', 'delete', 'delete-trashed', 'dry-run', 'accept-new-uidls'],
    required: ['host', 'user', 'store'],
  });
  const security = parseSecurity(args.values.get('security'));
  const auth = parseAuth(args.values.get('auth'));
  const deleteAfterDays = parseCount('delete-after-days', args.values.get('delete-after-days'));
  const maxMessageSize = parseCount('max-size', args.values.get('max-size'));
  const newestOnFirstSync = parseCount('newest', args.values.get('newest'));
  const waitSeconds = parseCount('wait', args.values.get('wait'));
  const oauth = auth === 'xoauth2' || auth === 'oauthbearer';
  let password: string | undefined;
  let token: string | undefined;
  if (oauth) {
    if (args.flags.has('password-stdin')) throw new UsageError(`--auth ${auth} takes an access token, not a password`);
    const command = args.values.get('token-command');
    token = command !== undefined ? await tokenFromCommand(command) : process.env['POP3_OAUTH_TOKEN'];
    if (!token) throw new UsageError(`no access token for --auth ${auth}: set POP3_OAUTH_TOKEN or use --token-command`);
  } else {
    if (args.values.has('token-command')) throw new UsageError('--token-command needs --auth xoauth2 or --auth oauthbearer');
    password = args.flags.has('password-stdin') ? await readStdin() : process.env['POP3_PASSWORD'];
    if (!password) throw new UsageError('no password: set POP3_PASSWORD or use --password-stdin');
  }
  const host = args.values.get('host')!;
  const store = await MailStore.open(args.values.get('store')!, { writeInline: true });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const result = await fetchMail({
    account: {
      name: host,
      host,
      port: parsePort(args.values.get('port'), security === 'tls' ? 995 : 110),
      user: args.values.get('user')!,
      security,
      auth,
      caFile: args.values.get('ca'),
      pin: args.values.get('pin'),
    },
    password,
    token,
    store,
    retention: {
      deleteAfterDownload: args.flags.has('delete') || undefined,
      deleteAfterDays,
      deleteWhenDeletedLocally: args.flags.has('delete-trashed') || undefined,
    },
    download: { maxMessageSize, newestOnFirstSync },
    dryRun: args.flags.has('dry-run'),
    acceptNewUidls: args.flags.has('accept-new-uidls'),
    signal: controller.signal,
    waitForStore: (waitSeconds ?? 0) * 1000,
    onWaitForStore: (owner) => process.stderr.write(`pop3-mail: waiting for the fetch of pid ${owner?.pid ?? '?'} to finish (up to ${waitSeconds} s)\n`),
    trace: process.env['POP3_MAIL_TRACE'] ? (line) => process.stderr.write(`${oneLine(line)}\n`) : undefined,
  });
  if (json) write(JSON.stringify(result));
  else write(describe(result, args.flags.has('dry-run')));
  if (result.plan.anomaly) {
    process.stderr.write(
      `pop3-mail: every one of the ${result.plan.anomaly.count} messages on the server has a UIDL we have never seen, although the server kept mail last time ` +
        '(a server migration?). Nothing was downloaded; run again with --accept-new-uidls to download them all.\n',
    );
    return EXIT_NEEDS_CONFIRMATION;
  }
  return 0;
}

function describePlan(plan: SyncPlan): string[] {
  const lines = [`plan (${plan.mode}): download ${plan.download.length} (${plan.download.filter((d) => d.headersOnly).length} headers only), skip ${plan.skip.length}, delete ${plan.delete.length}${plan.deleteNewAfterDownload ? ' + each new message once stored' : ''}`];
  for (const d of plan.download) lines.push(`  download #${d.n} ${oneLine(d.uidl)} ${d.size} bytes${d.headersOnly ? ' (headers only)' : ''}`);
  for (const d of plan.delete) lines.push(`  delete   #${d.n} ${oneLine(d.uidl)} (${d.rule})`);
  return lines;
}

function describe(result: FetchResult, dryRun: boolean): string {
  const lines = dryRun
    ? describePlan(result.plan)
    : [
        `downloaded ${result.downloaded} messages (${result.bytes} bytes${result.headersOnly ? `, ${result.headersOnly} headers only` : ''}); ` +
          `deleted ${result.deleted} from the server; ${result.onServer} were on the server`,
      ];
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
