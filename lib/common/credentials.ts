/**
 * Credentials from the standard Alibaba Cloud chain (`@alicloud/credentials`), for every caller: the sync runtime,
 * the operations command and the DataWorks client. The chain: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET /
 * _SECURITY_TOKEN, OIDC, the CLI profile, the credentials file profile, the ECS RAM role, a credentials URI. Every
 * value loaded is registered with a redactor (the process's by default), so no log line or error message can carry it.
 */
import type CredentialClient from '@alicloud/credentials';
import { processRedactor } from './redact';

export interface AccessCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Present for STS credentials (RAM role, ECS role, OIDC). */
  readonly securityToken?: string;
}

/** Returns current credentials; may refresh them (STS tokens expire). */
export type CredentialProvider = () => Promise<AccessCredentials>;

/** Where loaded credentials are registered as secrets: a `Redactor`, or a logger with its own redactor. */
export interface SecretRegistry {
  addSecret(value: string | undefined): void;
}

/** The chain found no usable credentials. */
export class CredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

/** Temporary credentials are asked for again after this long; the chain itself refreshes before expiry. */
const STS_CACHE_MS = 5 * 60_000;

/**
 * The default chain, cached: static keys for the process lifetime, STS credentials for five minutes. `env` is read
 * for the ALIBABA_CLOUD_* variables first (the chain's own first step, made explicit so callers can pass an
 * environment; the chain would return those values unchanged, so they are taken as they are); without them the
 * chain proceeds to profiles and the ECS RAM role. `@alicloud/credentials` is loaded only then: a process started
 * with keys in its environment (every provisioner run of dist/ops.js) does not pay for loading it.
 */
export function defaultCredentialProvider(env: NodeJS.ProcessEnv = process.env, secrets: SecretRegistry = processRedactor): CredentialProvider {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const fromEnv: AccessCredentials | undefined = id && secret ? (token ? { accessKeyId: id, accessKeySecret: secret, securityToken: token } : { accessKeyId: id, accessKeySecret: secret }) : undefined;
  let client: CredentialClient | undefined;
  let cached: { value: AccessCredentials; at: number } | undefined;
  return async () => {
    if (cached && (cached.value.securityToken === undefined || Date.now() - cached.at < STS_CACHE_MS)) return cached.value;
    let value: AccessCredentials;
    if (fromEnv) {
      value = fromEnv;
    } else {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        client ??= new (require('@alicloud/credentials') as typeof import('@alicloud/credentials')).default();
        const c = await client.getCredential();
        if (!c.accessKeyId || !c.accessKeySecret) throw new Error('the credential chain returned no AccessKey');
        value = c.securityToken ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken } : { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret };
      } catch (err) {
        throw new CredentialsError(
          'No Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
            '(and ALIBABA_CLOUD_SECURITY_TOKEN for STS), configure a profile (~/.alibabacloud/credentials or the aliyun CLI), ' +
            `or run where an ECS RAM role is attached (${(err as Error).message.split('\n')[0]})`,
          { cause: err },
        );
      }
    }
    registerCredentials(value, secrets);
    cached = { value, at: Date.now() };
    return value;
  };
}

/** Fixed credentials (tests, the sandbox); registered like any other. */
export function staticCredentialProvider(credentials: AccessCredentials, secrets: SecretRegistry = processRedactor): CredentialProvider {
  registerCredentials(credentials, secrets);
  return async () => credentials;
}

function registerCredentials(c: AccessCredentials, secrets: SecretRegistry): void {
  secrets.addSecret(c.accessKeyId);
  secrets.addSecret(c.accessKeySecret);
  secrets.addSecret(c.securityToken);
}
