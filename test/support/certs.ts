// Throwaway certificates for the TLS tests (docs/security.md T06-T10), made with
// the openssl CLI into a temp dir once per process and cached. EC P-256 keys:
// a full set takes a few tens of milliseconds. Nothing here is ever trusted
// outside the test that passes it as `ca`.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A certificate (PEM) with its private key (PEM) and SHA-256 fingerprint as Node prints it. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
  /** "AB:CD:..." as in `PeerCertificate.fingerprint256`. */
  readonly fingerprint256: string;
}

export interface TestCerts {
  /** The test CA: pass `ca.cert` as the client's `ca` to trust the CA-signed leaves. */
  readonly ca: CertPair;
  /** Signed by the CA for DNS:localhost and IP:127.0.0.1. */
  readonly localhost: CertPair;
  /** Self-signed, for DNS:localhost and IP:127.0.0.1 (T06); also the "MITM" cert of T08. */
  readonly selfSigned: CertPair;
  /** Signed by the CA for DNS:wrong.example only (T07, and the SNI default of T09). */
  readonly wrongHost: CertPair;
  /** A second CA-signed localhost leaf with its own key: a valid chain whose fingerprint differs from the pinned one (T08). */
  readonly localhostOther: CertPair;
  /** The temp dir holding the PEM files (removed at process exit). */
  readonly dir: string;
}

let cached: TestCerts | undefined;

const DAYS = '2';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

function pair(dir: string, name: string): CertPair {
  const cert = fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8');
  const key = fs.readFileSync(path.join(dir, `${name}.key`), 'utf8');
  return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256 };
}

/** A leaf signed by the test CA with the given subjectAltName. */
function caLeaf(dir: string, name: string, cn: string, san: string): void {
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(
    ext,
    [`subjectAltName=${san}`, 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'),
  );
  openssl(dir, ['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(Date.now() % 1e9 + name.length),
    '-days', DAYS, '-sha256', '-extfile', ext, '-out', `${name}.crt`,
  ]);
}

/** Generates (once per process) and returns the test certificates. */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pop3-certs-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  openssl(dir, [
    'req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', DAYS, '-sha256', '-subj', '/CN=POP3 Mail Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  caLeaf(dir, 'localhost', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  caLeaf(dir, 'localhost-other', 'localhost', 'DNS:localhost,IP:127.0.0.1');
  caLeaf(dir, 'wrong-host', 'wrong.example', 'DNS:wrong.example');
  openssl(dir, [
    'req', '-x509', ...EC, '-keyout', 'self-signed.key', '-out', 'self-signed.crt', '-days', DAYS, '-sha256', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE',
  ]);
  cached = {
    ca: pair(dir, 'ca'),
    localhost: pair(dir, 'localhost'),
    localhostOther: pair(dir, 'localhost-other'),
    wrongHost: pair(dir, 'wrong-host'),
    selfSigned: pair(dir, 'self-signed'),
    dir,
  };
  return cached;
}
