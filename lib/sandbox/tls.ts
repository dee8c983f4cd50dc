/**
 * A throwaway self-signed certificate for 127.0.0.1, made at start-up with the `openssl` command (node:crypto can make
 * keys but not X.509 certificates). Loopback test servers use it to serve TLS; clients trust exactly this `cert`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackCertificate {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate (also the CA to trust). */
  readonly cert: string;
}

/** `dnsNames` adds names clients may verify against (e.g. the virtual-hosted `*.oss-<region>.aliyuncs.com`). */
export function loopbackCertificate(dnsNames: readonly string[] = []): LoopbackCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'otsbk-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...dnsNames.map(n => `DNS:${n}`)].join(',')}`,
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch (err) {
    throw new Error(`cannot make a loopback TLS certificate with openssl (is it installed?): ${(err as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
