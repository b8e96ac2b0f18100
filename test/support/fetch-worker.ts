// A process that fetches into a store through the store API, as an editor
// window does: it opens the store first (a window opens it long before it
// fetches), says "open" on stdout, and fetches when a line arrives on stdin.
// Run: node --import tsx test/support/fetch-worker.ts <json options>.
import { MailStore } from '../../src/store/store';
import { fetchMail } from '../../src/sync/fetch';

interface WorkerOptions {
  readonly store: string;
  readonly port: number;
  readonly caFile: string;
  readonly user: string;
  readonly password: string;
  readonly waitMs: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
  const store = await MailStore.open(o.store);
  process.stdout.write('open\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  let waited = false;
  const result = await fetchMail({
    account: { name: 'worker', host: 'localhost', port: o.port, user: o.user, security: 'tls', caFile: o.caFile },
    password: o.password,
    store,
    waitForStore: o.waitMs,
    onWaitForStore: () => {
      waited = true;
    },
  });
  process.stdout.write(`${JSON.stringify({ downloaded: result.downloaded, waited, size: store.size })}\n`);
  store.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  },
);
