// The demo behind `npm run demo` (see scripts/demo.sh, which builds the vsix
// first): a private Dovecot with a generated mailbox for demo/demo and a
// code-server with the extension and one account configured, until Ctrl-C.
//
//   DEMO_PORT=8080   fixed port for the editor (to forward it), default free
//   DEMO_MESSAGES=40 how many messages to generate
//   DEMO_VSIX=path   another build of the extension, default dist/pop3-mail.vsix
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCodeServer, type CodeServer } from '../test/support/code-server';
import { startDovecot, type Dovecot } from '../test/support/dovecot';
import { generateMailbox } from '../test/support/mailgen';

const REPO_ROOT = path.resolve(path.dirname(__filename), '..');
const USER = 'demo';
const PASSWORD = 'demo';
const SEED = 2024;

async function main(): Promise<void> {
  const vsix = path.resolve(process.env.DEMO_VSIX || path.join(REPO_ROOT, 'dist', 'pop3-mail.vsix'));
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package (npm run demo does)`);
  const count = positiveInt(process.env.DEMO_MESSAGES, 40);
  const editorPort = process.env.DEMO_PORT ? positiveInt(process.env.DEMO_PORT, 0) : undefined;

  let dovecot: Dovecot | undefined;
  let editor: CodeServer | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nstopping...');
      await Promise.allSettled([editor?.stop(), dovecot?.stop({ graceful: true })]);
    }
    process.exit(code);
  };
  // Registered before anything starts, so Ctrl-C during startup cleans up too.
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));

  try {
    dovecot = await startDovecot({ users: [{ user: USER, password: PASSWORD }] });
    // Dates relative to now, so the inbox looks like the last few months.
    const messages = generateMailbox(SEED, count, { now: Date.now(), to: `${USER}@example.com` });
    for (const raw of messages) dovecot.deliver(USER, raw);

    const account = { name: 'Demo', host: 'localhost', port: dovecot.pop3sPort, user: USER, security: 'tls', caFile: dovecot.caFile };
    console.log('starting the editor (first run installs code-server, which takes a few minutes)...');
    editor = await startCodeServer({ vsix, settings: { 'pop3Mail.accounts': [account] }, port: editorPort });

    printBanner(editor, dovecot, count);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
}

function printBanner(editor: CodeServer, dovecot: Dovecot, count: number): void {
  console.log(`
POP3 Mail demo is running.

  Open in a browser:  ${editor.url}
  Account "Demo":     localhost:${dovecot.pop3sPort} (POP3S, implicit TLS), user ${USER}
  Password:           ${PASSWORD}   (the extension asks for it on the first fetch)
  Mailbox:            ${count} generated messages
  Server certificate: ${dovecot.caFile} (self-signed, configured as caFile)

Press Ctrl-C to stop both servers.`);
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
