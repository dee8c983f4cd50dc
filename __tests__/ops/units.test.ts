import { equalJitterDelay } from '../../lib/common/retry';
import { PipelineStage, stageToAdvance } from '../../lib/dataworks';
import {
  assertTeardownAllowed,
  createLogger,
  parseManagedSpec,
  parseOperationSettings,
  readOpsEnvironment,
  TeardownRefusedError,
} from '../../lib/ops';
import { sdkErrorDetails } from '../../lib/ops/table-stream-ops';
import { environment, syncNodeSpec } from './helpers';

describe('logger', () => {
  it('redacts registered secrets from every line, ignoring values too short to be secrets', () => {
    const lines: string[] = [];
    const log = createLogger('[p]', l => lines.push(l));
    log.addSecret('s3cr3t-value-123');
    log.addSecret('abc');
    log.info('signing with s3cr3t-value-123 twice: s3cr3t-value-123 abc');
    expect(lines).toEqual(['[p] signing with *** twice: *** abc']);
  });
});

describe('teardown guard', () => {
  const prod = { environment: 'prod', allowTeardown: false };
  it('allows where the configuration allows, or where the variable names the environment', () => {
    expect(assertTeardownAllowed({ environment: 'dev', allowTeardown: true }, 'x', {})).toBe('environment "dev" allows teardown');
    expect(assertTeardownAllowed(prod, 'x', { OTSBK_ALLOW_TEARDOWN: ' staging , prod ' })).toBe('OTSBK_ALLOW_TEARDOWN names environment "prod"');
  });
  it('refuses otherwise, saying how to proceed', () => {
    for (const env of [{}, { OTSBK_ALLOW_TEARDOWN: 'production' }, { OTSBK_ALLOW_TEARDOWN: '' }]) {
      expect(() => assertTeardownAllowed(prod, 'the thing', env)).toThrow(TeardownRefusedError);
    }
    expect(() => assertTeardownAllowed(prod, 'the thing', {})).toThrow('refusing to delete the thing: environment "prod" does not allow teardown (allowTeardown is false). Nothing was changed. To delete it anyway, run the destroy again with OTSBK_ALLOW_TEARDOWN=prod.');
  });
});

describe('inputs of the command', () => {
  it('derives endpoints from the region and instance unless overridden', () => {
    const settings = { environment: 'dev', allowTeardown: true };
    const plain = readOpsEnvironment({});
    expect(plain.dataworksEndpoint('cn-beijing')).toBe('dataworks.cn-beijing.aliyuncs.com');
    expect(plain.tablestoreEndpoint('cn-beijing', 'otsbk-prd', settings)).toBe('https://otsbk-prd.cn-beijing.ots.aliyuncs.com');
    expect(plain.tablestoreEndpoint('cn-beijing', 'otsbk-prd', { ...settings, tablestoreEndpoint: 'https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com' })).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    const local = readOpsEnvironment({ OTSBK_DATAWORKS_ENDPOINT: 'http://127.0.0.1:1', OTSBK_TABLESTORE_ENDPOINT: 'http://127.0.0.1:2', OTSBK_RETRY_BASE_DELAY_MS: '1' });
    expect([local.dataworksEndpoint('x'), local.tablestoreEndpoint('x', 'y', settings), local.retryPolicy.baseDelayMs]).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2', 1]);
    expect(() => readOpsEnvironment({ OTSBK_DEPLOY_TIMEOUT_SECONDS: 'soon' })).toThrow('OTSBK_DEPLOY_TIMEOUT_SECONDS="soon" must be a number of at least 1');
  });

  it('validates specs and settings field by field', () => {
    expect(() => parseManagedSpec(undefined, 'table-stream')).toThrow('OTSBK_OPS_SPEC is not set');
    expect(() => parseManagedSpec('{', 'table-stream')).toThrow(/^OTSBK_OPS_SPEC is not JSON/);
    const stream = { kind: 'table-stream', region: 'cn-hangzhou', instanceName: 'i-1', tableName: 't', retentionHours: 24 };
    expect(parseManagedSpec(JSON.stringify(stream), 'table-stream')).toEqual(stream);
    expect(() => parseManagedSpec(JSON.stringify({ ...stream, retentionHours: 169 }), 'table-stream')).toThrow('OTSBK_OPS_SPEC.retentionHours must be 1 to 168, got 169');
    expect(() => parseManagedSpec(JSON.stringify({ ...stream, region: 'Hangzhou' }), 'table-stream')).toThrow('OTSBK_OPS_SPEC.region "Hangzhou" must be a region id such as cn-hangzhou');
    const ts = { kind: 'timeseries-table', region: 'cn-hangzhou', instanceName: 'i-1', tableName: 't', timeToLiveSeconds: 100 };
    expect(() => parseManagedSpec(JSON.stringify(ts), 'timeseries-table')).toThrow('OTSBK_OPS_SPEC.timeToLiveSeconds must be -1 or at least 86400, got 100');
    const node = syncNodeSpec(environment('dev'));
    expect(() => parseManagedSpec(JSON.stringify({ ...node, nodeName: 'other' }), 'sync-node')).toThrow('OTSBK_OPS_SPEC.flowSpec names node "otsbk_dev_sync_device_readings", not "other"');
    expect(() => parseOperationSettings('{"environment":"dev"}')).toThrow('OTSBK_OPS_SETTINGS.allowTeardown must be true or false');
    expect(parseOperationSettings('{"environment":"dev","allowTeardown":false,"tablestoreEndpoint":""}')).toEqual({ environment: 'dev', allowTeardown: false, tablestoreEndpoint: undefined });
  });

  it('refuses fields a spec or the settings do not have, naming the field and the one meant', () => {
    const stream = { kind: 'table-stream', region: 'cn-hangzhou', instanceName: 'i-1', tableName: 't', retentionHours: 24 };
    expect(() => parseManagedSpec(JSON.stringify({ ...stream, retentionHour: 48 }), 'table-stream'))
      .toThrow('OTSBK_OPS_SPEC: unknown field "retentionHour" (did you mean "retentionHours"?)');
    expect(() => parseManagedSpec(JSON.stringify({ ...stream, kind: 'timeseries-table', timeToLiveSeconds: -1 }), 'timeseries-table'))
      .toThrow('OTSBK_OPS_SPEC: unknown field "retentionHours"');
    expect(() => parseManagedSpec(JSON.stringify({ ...syncNodeSpec(environment('dev')), projectID: '1' }), 'sync-node'))
      .toThrow('OTSBK_OPS_SPEC: unknown field "projectID" (did you mean "projectId"?)');
    expect(() => parseOperationSettings('{"environment":"dev","allowTeardown":false,"tablestoreEndpiont":"https://x"}'))
      .toThrow('OTSBK_OPS_SETTINGS: unknown field "tablestoreEndpiont" (did you mean "tablestoreEndpoint"?)');
  });
});

describe('DataWorks details', () => {
  const stage = (code: string, status: PipelineStage['status'], step: number): PipelineStage => ({ code, status, step });

  it('advances only the first waiting stage after succeeded ones', () => {
    expect(stageToAdvance([stage('BUILD_PACKAGE', 'Running', 1), stage('PROD_CHECK', 'Init', 2)])).toBeUndefined();
    expect(stageToAdvance([stage('BUILD_PACKAGE', 'Success', 1), stage('PROD_CHECK', 'Init', 2), stage('PROD', 'Init', 3)])?.code).toBe('PROD_CHECK');
    expect(stageToAdvance([stage('BUILD_PACKAGE', 'Success', 1), stage('PROD_CHECK', 'Fail', 2), stage('PROD', 'Init', 3)])).toBeUndefined();
    expect(stageToAdvance([stage('A', 'Success', 1), stage('B', 'Success', 2)])).toBeUndefined();
  });

  it('backs off exponentially within the cap', () => {
    const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map(n => equalJitterDelay(policy, n, 'server', () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(equalJitterDelay(policy, 3, 'server', () => 0)).toBe(200);
  });

  it('recovers the Tablestore error code from the SDK\'s raw protobuf error text', () => {
    expect(sdkErrorDetails({ code: 404, message: '\n\u0011OTSObjectNotExist\u0012$Requested table nope does not exist. requestId:1' }))
      .toEqual({ status: 404, code: 'OTSObjectNotExist', message: 'Requested table nope does not exist. requestId:1' });
    expect(sdkErrorDetails({ code: 'ECONNRESET', message: 'socket hang up' })).toEqual({ code: 'ECONNRESET', message: 'socket hang up' });
  });
});
