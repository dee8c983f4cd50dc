/**
 * Log lines of the operations command: `<prefix> <message>` on stderr (Terraform shows them under the provisioner),
 * through the shared logger (lib/common/log.ts). Any registered secret (AccessKey secret, STS token, receiver) is
 * replaced by `***` in every line, whatever produced it; values shorter than 8 characters are not taken as secrets.
 */
import { LineLogger } from '../common/log';
import { Redactor } from '../common/redact';

export type Logger = LineLogger;

export function createLogger(prefix: string, write: (line: string) => void = line => process.stderr.write(`${line}\n`)): Logger {
  return new LineLogger({
    format: { prefix },
    redactor: new Redactor({ marker: '***', minSecretLength: 8 }),
    sink: { write: line => write(line.endsWith('\n') ? line.slice(0, -1) : line) },
  });
}
