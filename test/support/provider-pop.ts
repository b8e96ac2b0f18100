// Scripted imitations of two big providers' POP3 servers, built from their
// public documentation (no real account is reachable from the test
// machines), for behaviour Dovecot does not have:
//  - Gmail: greets "+OK Gpop ...", and in its normal mode lists a message
//    only until a POP session has retrieved it; a user name prefixed with
//    "recent:" lists the last 30 days' mail whether retrieved or not.
//  - Exchange Online / Outlook.com: USER/PASS always refused (basic
//    authentication is off), SASL XOAUTH2 only in the two-line form.
// Each serves a mailbox the test controls, over one ScriptedSession.
import type { ScriptedSession } from './scripted-server';

export interface ProviderMessage {
  readonly uidl: string;
  readonly raw: string;
  /** Retrieved by some POP session that ended with QUIT (Gmail hides it then). */
  retrieved?: boolean;
}

export interface ProviderBehaviour {
  readonly kind: 'gmail' | 'exchange' | 'plain';
  /** The greeting text after "+OK " (Gmail's starts with "Gpop"). */
  readonly greeting?: string;
  /** Exchange: the bearer token it accepts. */
  readonly token?: string;
  readonly password?: string;
}

/** Every command the client sent, per session, for assertions. */
export interface ServedSession {
  readonly commands: string[];
}

const send = (s: ScriptedSession, text: string): Promise<void> => s.write(text.endsWith('\r\n') ? text : `${text}\r\n`);
const stuff = (raw: string): string => `${raw.replace(/\r?\n/g, '\r\n').replace(/(^|\r\n)\./g, '$1..')}${raw.endsWith('\n') ? '' : '\r\n'}.\r\n`;

/**
 * Serves one POP3 session on `session` from `box` (shared between sessions,
 * so what one session retrieves the next one may no longer see). Ends on
 * QUIT (follow with a `close` step) or when the client goes away.
 */
export async function serveProvider(session: ScriptedSession, box: ProviderMessage[], b: ProviderBehaviour, log: ServedSession = { commands: [] }): Promise<void> {
  await send(session, `+OK ${b.greeting ?? (b.kind === 'gmail' ? 'Gpop ready for requests from 127.0.0.1 x1' : 'POP3 ready')}`);
  let user: string | undefined;
  let listed: ProviderMessage[] | undefined;
  const retrievedNow = new Set<ProviderMessage>();
  const deleted = new Set<number>();
  const caps = b.kind === 'exchange' ? ['TOP', 'UIDL', 'SASL XOAUTH2', 'USER'] : ['TOP', 'UIDL', 'USER'];
  const login = (name: string): void => {
    // Gmail's recent mode shows retrieved mail again; the normal mode does not.
    listed = b.kind === 'gmail' && !name.startsWith('recent:') ? box.filter((m) => !m.retrieved) : [...box];
  };
  for (;;) {
    const line = await session.nextLine();
    if (line === undefined) return;
    log.commands.push(line.startsWith('PASS ') ? 'PASS ***' : line);
    const [verb = '', arg = ''] = line.split(' ');
    const msg = (): ProviderMessage | undefined => {
      const n = Number(arg);
      return listed && Number.isInteger(n) && n >= 1 && n <= listed.length && !deleted.has(n) ? listed[n - 1] : undefined;
    };
    switch (verb.toUpperCase()) {
      case 'CAPA':
        await send(session, `+OK\r\n${caps.join('\r\n')}\r\n.`);
        break;
      case 'USER':
        user = arg;
        await send(session, '+OK');
        break;
      case 'PASS':
        if (b.kind === 'exchange' || user === undefined || line.slice(5) !== b.password) {
          await send(session, '-ERR Logon failure: unknown user name or bad password.');
        } else {
          login(user);
          await send(session, '+OK logged in');
        }
        break;
      case 'AUTH': {
        if (b.kind !== 'exchange' || arg.toUpperCase() !== 'XOAUTH2' || line.split(' ').length !== 2) {
          await send(session, '-ERR Protocol error.');
          break;
        }
        await send(session, '+ ');
        const response = Buffer.from((await session.nextLine()) ?? '', 'base64').toString('utf8');
        const [userPart = '', authPart = '', ...end] = response.split('\u0001');
        if (userPart.startsWith('user=') && authPart === `auth=Bearer ${b.token}` && end.join(',') === ',') {
          login(userPart.slice(5));
          await send(session, '+OK User successfully authenticated.');
        } else {
          await send(session, `+ ${Buffer.from('{"status":"401","schemes":"bearer"}').toString('base64')}`);
          await session.nextLine();
          await send(session, '-ERR Authentication failure: unknown user name or bad password.');
        }
        break;
      }
      case 'STAT':
      case 'LIST':
      case 'UIDL': {
        if (!listed) {
          await send(session, '-ERR not logged in');
          break;
        }
        const live = listed.map((m, i) => ({ m, n: i + 1 })).filter((x) => !deleted.has(x.n));
        if (verb.toUpperCase() === 'STAT') await send(session, `+OK ${live.length} ${live.reduce((a, x) => a + stuff(x.m.raw).length - 3, 0)}`);
        else {
          const body = live.map((x) => `${x.n} ${verb.toUpperCase() === 'UIDL' ? x.m.uidl : stuff(x.m.raw).length - 3}\r\n`).join('');
          await send(session, `+OK\r\n${body}.`);
        }
        break;
      }
      case 'RETR':
      case 'TOP': {
        const m = msg();
        if (!m) {
          await send(session, '-ERR no such message');
          break;
        }
        if (verb.toUpperCase() === 'RETR') retrievedNow.add(m);
        await session.write(`+OK\r\n${stuff(m.raw)}`);
        break;
      }
      case 'DELE': {
        const m = msg();
        if (m) deleted.add(Number(arg));
        await send(session, m ? '+OK' : '-ERR no such message');
        break;
      }
      case 'NOOP':
        await send(session, '+OK');
        break;
      case 'QUIT':
        if (listed) {
          for (const m of retrievedNow) m.retrieved = true;
          const gone = new Set([...deleted].map((n) => listed![n - 1]));
          for (let i = box.length - 1; i >= 0; i--) if (gone.has(box[i]!)) box.splice(i, 1);
        }
        await send(session, '+OK bye');
        return; // the script's next step closes the connection
      default:
        await send(session, '-ERR unknown command');
    }
  }
}
