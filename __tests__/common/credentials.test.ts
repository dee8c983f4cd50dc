/** The one credentials wrapper of the runtime, the operations command and the DataWorks client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError, defaultCredentialProvider, staticCredentialProvider } from '../../lib/common/credentials';
import { Redactor } from '../../lib/common/redact';

const ID = 'test-key-id-0001';
const SECRET = 'test-secret-value-0001';
const TOKEN = 'test-sts-token-value-0001';

describe('defaultCredentialProvider', () => {
  it('takes the keys from the environment it is given and registers them with the given redactor', async () => {
    const redactor = new Redactor({ marker: '***' });
    const provider = defaultCredentialProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET }, redactor);
    expect(await provider()).toEqual({ accessKeyId: ID, accessKeySecret: SECRET });
    expect(redactor.text(`id ${ID} secret ${SECRET}`)).toBe('id *** secret ***');
  });

  it('passes an STS token on', async () => {
    const redactor = new Redactor({ marker: '***' });
    const provider = defaultCredentialProvider({ ALIBABA_CLOUD_ACCESS_KEY_ID: ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN }, redactor);
    expect(await provider()).toEqual({ accessKeyId: ID, accessKeySecret: SECRET, securityToken: TOKEN });
    expect(redactor.text(TOKEN)).toBe('***');
  });

  it('says how to provide credentials when the chain finds none (no variables, no profile, ECS metadata off)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'otsbk-home-'));
    const saved = { HOME: process.env.HOME, ALIBABA_CLOUD_ECS_METADATA_DISABLED: process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED };
    process.env.HOME = home;
    process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
    try {
      const failure = defaultCredentialProvider({})();
      await expect(failure).rejects.toBeInstanceOf(CredentialsError);
      await expect(failure).rejects.toThrow(/^No Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
      rmSync(home, { recursive: true, force: true });
    }
  });
});

it('staticCredentialProvider registers fixed keys like the chain does', async () => {
  const redactor = new Redactor({ marker: '***' });
  const provider = staticCredentialProvider({ accessKeyId: ID, accessKeySecret: SECRET }, redactor);
  expect(await provider()).toEqual({ accessKeyId: ID, accessKeySecret: SECRET });
  expect(redactor.text(SECRET)).toBe('***');
});
