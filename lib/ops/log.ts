/**
 * Log lines of the operations command, written to stderr (Terraform shows them under the provisioner). Any
 * registered secret (AccessKey secret, STS token) is replaced by `***` in every line, whatever produced it.
 */
export interface Logger {
  info(message: string): void;
  /** Registers a value that must never appear in output. */
  addSecret(value: string | undefined): void;
  redact(text: string): string;
}

export function createLogger(prefix: string, write: (line: string) => void = line => process.stderr.write(`${line}\n`)): Logger {
  const secrets = new Set<string>();
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  return {
    info: message => write(redact(`${prefix} ${message}`)),
    addSecret: value => {
      // Short values would redact ordinary words; real secrets and tokens are long.
      if (value && value.length >= 8) secrets.add(value);
    },
    redact,
  };
}
