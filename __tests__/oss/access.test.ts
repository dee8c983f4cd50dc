import OSS from 'ali-oss';
import { BackupBucket } from '../../lib/constructs/backup-bucket';
import { SyncPolicyProps, syncPolicyDocument } from '../../lib/constructs/sync-permissions';
import { evaluateAccess, OssSandbox, parsePolicy, startOssSandbox } from '../../lib/sandbox/oss';

type LooseClient = any;
const newClient = (options: Record<string, unknown>): LooseClient => new OSS(options as unknown as OSS.Options);
const BUCKET = 'backup-bucket';
const OWNER = '1000000000000001';

function errorOf(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  return p.then(
    () => { throw new Error('expected the request to fail'); },
    (e: { status: number; code: string; message: string }) => e,
  );
}

const policyProps = (engine: SyncPolicyProps['engine']): SyncPolicyProps => ({
  engine,
  region: 'cn-hangzhou',
  accountId: OWNER,
  dataTables: [{ instanceName: 'inst', tableName: 'orders' }],
  timeseriesTables: [],
  statusTables: [{ instanceName: 'inst', tableName: 'status' }],
  bucketName: BUCKET,
  exportPrefix: 'export',
  });

/** What the sync policy looked like before the permission table: no GetBucketAcl. */
const OLD_SYNC_POLICY = JSON.stringify({
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: ['oss:AbortMultipartUpload', 'oss:DeleteObject', 'oss:GetObject', 'oss:ListParts', 'oss:PutObject'], Resource: [`acs:oss:*:${OWNER}:${BUCKET}/export/*`] },
    { Effect: 'Allow', Action: ['oss:GetBucketInfo', 'oss:ListMultipartUploads', 'oss:ListObjects'], Resource: [`acs:oss:*:${OWNER}:${BUCKET}`] },
  ],
});

/** The TLS-only statement as it was: no Principal, five actions. */
const OLD_TLS_POLICY = JSON.stringify({
  Version: '1',
  Statement: [{
    Effect: 'Deny',
    Action: ['oss:GetObject', 'oss:PutObject', 'oss:DeleteObject', 'oss:ListObjects', 'oss:AbortMultipartUpload'],
    Resource: [`acs:oss:*:${OWNER}:${BUCKET}`, `acs:oss:*:${OWNER}:${BUCKET}/*`],
    Condition: { Bool: { 'acs:SecureTransport': ['false'] } },
  }],
});

let sandbox: OssSandbox;
let owner: LooseClient;
let ownerTls: LooseClient;

beforeAll(async () => {
  sandbox = await startOssSandbox({
    bucket: BUCKET,
    tls: true,
    identities: [
      { accessKeyId: 'test-runtime-user', accessKeySecret: 'runtime-secret', policies: [syncPolicyDocument(policyProps('runtime')).toJsonString()] },
      { accessKeyId: 'test-di-user', accessKeySecret: 'di-secret', policies: [syncPolicyDocument(policyProps('data-integration')).toJsonString()] },
      { accessKeyId: 'test-old-user', accessKeySecret: 'old-secret', policies: [OLD_SYNC_POLICY] },
    ],
  });
  owner = newClient(sandbox.clientOptions());
  ownerTls = newClient(sandbox.secureClientOptions());
  await ownerTls.putBucketPolicy(BUCKET, JSON.parse(BackupBucket.tlsOnlyPolicyDocument(BUCKET).toJsonString()));
  sandbox.putObject('export/orders/a.csv', 'a\n');
});

afterAll(async () => {
  await sandbox.close();
});

const asUser = (id: string, secret: string, secure = true): LooseClient =>
  newClient((secure ? sandbox.secureClientOptions : sandbox.clientOptions)({ accessKeyId: id, accessKeySecret: secret }));

describe('bucket policy: TLS only, as the stack synthesizes it', () => {
  it('stores the policy PutBucketPolicy was given', async () => {
    const got = await ownerTls.getBucketPolicy(BUCKET);
    expect(got.policy).toEqual(JSON.parse(BackupBucket.tlsOnlyPolicyDocument(BUCKET).toJsonString()));
  });

  it('denies plain http to everyone, the bucket owner included, for every API', async () => {
    for (const call of [
      () => owner.get('export/orders/a.csv'),
      () => owner.put('export/orders/b.csv', Buffer.from('b')),
      () => owner.listV2({ prefix: 'export/' }),
      () => owner.getBucketACL(BUCKET),
      () => owner.listUploads({}),
    ]) {
      const err = await errorOf(call());
      expect([err.status, err.code]).toEqual([403, 'AccessDenied']);
    }
    // ali-oss answers a refused GetBucketPolicy with `policy: null`; the sandbox's record shows the 403.
    expect((await owner.getBucketPolicy(BUCKET)).policy).toBeNull();
    expect(sandbox.requests[sandbox.requests.length - 1]).toMatchObject({ operation: 'GetBucketPolicy', status: 403, errorCode: 'AccessDenied' });
    const user = await errorOf(asUser('test-runtime-user', 'runtime-secret', false).get('export/orders/a.csv'));
    expect([user.status, user.code]).toEqual([403, 'AccessDenied']);
  });

  it('allows the same calls over TLS', async () => {
    expect((await ownerTls.get('export/orders/a.csv')).content.toString()).toBe('a\n');
    expect((await asUser('test-runtime-user', 'runtime-secret').get('export/orders/a.csv')).content.toString()).toBe('a\n');
  });

  it('refuses a bucket policy statement without Principal (the old TLS-only statement)', async () => {
    const err = await errorOf(ownerTls.putBucketPolicy(BUCKET, JSON.parse(OLD_TLS_POLICY)));
    expect([err.status, err.code]).toEqual([400, 'MalformedPolicy']);
    expect(err.message).toContain('Principal is required');
  });

  it('with a Principal, the old five actions leave other APIs open over plain http', () => {
    const old = parsePolicy(JSON.stringify({ ...JSON.parse(OLD_TLS_POLICY), Statement: [{ ...JSON.parse(OLD_TLS_POLICY).Statement[0], Principal: ['*'] }] }), 'bucket');
    const caller = { accountId: OWNER, policies: [] };
    const req = (action: string) => ({ action, resource: `acs:oss:cn-hangzhou:${OWNER}:${BUCKET}`, secureTransport: false });
    expect(evaluateAccess(req('oss:GetBucketAcl'), caller, old, OWNER).allowed).toBe(true);
    const now = parsePolicy(BackupBucket.tlsOnlyPolicyDocument(BUCKET).toJsonString(), 'bucket');
    expect(evaluateAccess(req('oss:GetBucketAcl'), caller, now, OWNER).allowed).toBe(false);
  });

  it('a Principal "*" statement without a condition binds everyone but the bucket owner', () => {
    const p = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Principal: ['*'], Action: ['oss:GetObject'], Resource: [`acs:oss:*:*:${BUCKET}/*`] }] }), 'bucket');
    const req = { action: 'oss:GetObject', resource: `acs:oss:cn-hangzhou:${OWNER}:${BUCKET}/k`, secureTransport: true };
    expect(evaluateAccess(req, { accountId: OWNER, policies: [] }, p, OWNER).allowed).toBe(true);
    expect(evaluateAccess(req, { accountId: OWNER, ramUserId: 'u', policies: [parsePolicy(OLD_SYNC_POLICY, 'ram')] }, p, OWNER).allowed).toBe(false);
  });

  it('refuses conditions it does not model instead of ignoring them', () => {
    const doc = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Principal: ['*'], Action: ['oss:*'], Resource: ['acs:oss:*:*:b'], Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] } } }] });
    expect(() => parsePolicy(doc, 'bucket')).toThrow('only model Bool acs:SecureTransport');
  });
});

describe('RAM policies of the calling identity', () => {
  it('lets the runtime identity do what the writer does under the export prefix, and nothing elsewhere', async () => {
    const user = asUser('test-runtime-user', 'runtime-secret');
    await user.put('export/orders/c.csv', Buffer.from('c'));
    expect((await user.head('export/orders/c.csv')).status).toBe(200);
    await user.deleteMulti(['export/orders/c.csv'], { quiet: true });
    expect(sandbox.head('export/orders/c.csv')).toBeUndefined();
    const outside = await errorOf(user.put('elsewhere/x.csv', Buffer.from('x')));
    expect([outside.status, outside.code]).toEqual([403, 'AccessDenied']);
    // DeleteMultipleObjects is checked per key: one key outside the prefix denies the request.
    sandbox.putObject('elsewhere/y.csv', 'y');
    const mixed = await errorOf(user.deleteMulti(['export/orders/a.csv', 'elsewhere/y.csv'], { quiet: true }));
    expect(mixed.code).toBe('AccessDenied');
    expect(sandbox.head('export/orders/a.csv')).toBeDefined();
    // Not in the table: the runtime never lists parts or reads the bucket ACL.
    const upload = await user.initMultipartUpload('export/orders/m.csv');
    expect((await errorOf(user.listParts('export/orders/m.csv', upload.uploadId))).code).toBe('AccessDenied');
    expect((await errorOf(user.getBucketACL(BUCKET))).code).toBe('AccessDenied');
    await user.abortMultipartUpload('export/orders/m.csv', upload.uploadId);
  });

  it("lets the Data Integration identity run the OSS writer's prepare step (GetBucketAcl, object meta, delete)", async () => {
    const user = asUser('test-di-user', 'di-secret');
    expect((await user.getBucketACL(BUCKET)).acl).toBe('private');
    expect((await user.getObjectMeta('export/orders/a.csv')).status).toBe(200);
    await user.delete('export/orders/gone.csv');
    // The writer does not list (writeSingleObject): no ListObjects.
    expect((await errorOf(user.listV2({ prefix: 'export/' }))).code).toBe('AccessDenied');
  });

  it('denied the old policy the GetBucketAcl the writer calls in prepare', async () => {
    const err = await errorOf(asUser('test-old-user', 'old-secret').getBucketACL(BUCKET));
    expect([err.status, err.code]).toEqual([403, 'AccessDenied']);
  });

  it('lets an explicit Deny in a RAM policy win over an Allow', () => {
    const allow = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: ['acs:oss:*:*:*'] }] }), 'ram');
    const deny = parsePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: ['oss:Delete*'], Resource: ['acs:oss:*:*:b/*'] }] }), 'ram');
    const caller = { accountId: OWNER, ramUserId: 'u', policies: [allow, deny] };
    const req = (action: string) => ({ action, resource: `acs:oss:cn-hangzhou:${OWNER}:b/k`, secureTransport: true });
    expect(evaluateAccess(req('oss:GetObject'), caller, undefined, OWNER).allowed).toBe(true);
    expect(evaluateAccess(req('oss:DeleteObject'), caller, undefined, OWNER).allowed).toBe(false);
  });

  it('on a bucket encrypted with a customer key, uploads and reads need the KMS key permissions the table grants', async () => {
    const keyArn = `acs:kms:cn-hangzhou:${OWNER}:key/key-test-1`;
    const kmsProps = { ...policyProps('data-integration'), kmsKeyId: 'key-test-1' };
    sandbox.addIdentity({ accessKeyId: 'test-di-kms', accessKeySecret: 'kms-secret', policies: [syncPolicyDocument(kmsProps).toJsonString()] });
    sandbox.setBucketKmsKey(keyArn);
    try {
      const withKey = asUser('test-di-kms', 'kms-secret');
      const upload = await withKey.initMultipartUpload('export/orders/k.csv');
      const part = await withKey.uploadPart('export/orders/k.csv', upload.uploadId, 1, Buffer.from('k\n'), 0, 2);
      await withKey.completeMultipartUpload('export/orders/k.csv', upload.uploadId, [{ number: 1, etag: part.etag }]);
      expect(sandbox.head('export/orders/k.csv')).toBeDefined();
      // The same identity without the KMS rows (the policy before this change) cannot start the upload.
      const without = await errorOf(asUser('test-di-user', 'di-secret').initMultipartUpload('export/orders/k2.csv'));
      expect([without.status, without.code]).toEqual([403, 'AccessDenied']);
      expect(without.message).toContain('KMS key');
    } finally {
      sandbox.setBucketKmsKey(undefined);
    }
  });

  it('refuses a RAM policy with a Principal', () => {
    expect(() => sandbox.addIdentity({ accessKeyId: 'bad', accessKeySecret: 's', policies: [JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Principal: ['*'], Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:b'] }] })] }))
      .toThrow('Principal is not allowed in a RAM policy');
  });
});
