import { serverInfo } from '../pop3/serverinfo';
import { parseArgs, parsePort } from './args';
import { oneLine, parseSecurity, readCa, write } from './common';

export async function cmdServerInfo(argv: string[], json: boolean): Promise<number> {
  const args = parseArgs(argv, { values: ['host', 'port', 'security', 'ca', 'pin'], flags: ['json'], required: ['host'] });
  const security = parseSecurity(args.values.get('security'));
  const info = await serverInfo({
    host: args.values.get('host')!,
    port: parsePort(args.values.get('port'), security === 'tls' ? 995 : 110),
    security,
    ca: readCa(args.values.get('ca')),
    pin: args.values.get('pin'),
  });
  if (json) {
    write(JSON.stringify(info));
    return 0;
  }
  write(
    [
      `server        ${info.host}:${info.port} (${info.security})`,
      `greeting      ${oneLine(info.greeting)}`,
      `tls           ${info.tls.protocol} ${info.tls.cipher}`,
      `certificate   ${oneLine(info.certificate?.subject ?? '(none)')}`,
      `  issuer      ${oneLine(info.certificate?.issuer ?? '')}`,
      `  valid       ${info.certificate?.validFrom ?? ''} to ${info.certificate?.validTo ?? ''}`,
      `  sha256      ${info.certificate?.fingerprint256 ?? ''}`,
      `sasl          ${oneLine(info.saslMechanisms.join(' ')) || '(none)'}`,
      `apop          ${info.apopTimestamp ? 'timestamp in greeting' : 'no'}`,
      `login-delay   ${info.loginDelay ?? '(none)'}`,
      `expire        ${oneLine(info.expire ?? '(none)')}`,
      `implementation ${oneLine(info.implementation ?? '(none)')}`,
      `capabilities  ${oneLine(Object.keys(info.capabilities).join(' '))}`,
    ].join('\n'),
  );
  return 0;
}
