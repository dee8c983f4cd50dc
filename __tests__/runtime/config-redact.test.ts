/** Runtime configuration (defaults, every problem at once, environment mapping) and secret redaction. */
import { projectConfig } from '../../lib/config/environments';
import type { EnvironmentConfig } from '../../lib/config/types';
import { encodeConfigArgument, parseConfigArgument, redactText, redactValue, registerSecret, resolveConfig, UsageError } from '../../lib/runtime/sync';
import { LineLogger } from '../../lib/common/log';
import { environmentConfig } from '../support/environments';

describe('runtime configuration', () => {
  const minimal = {
    tablestore: { endpoint: 'https://inst.cn-hangzhou.ots.aliyuncs.com', instanceName: 'inst', tableName: 't' },
    oss: { endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', region: 'oss-cn-hangzhou', bucket: 'my-bucket', prefix: 'export' },
    layout: { mode: 'rows' as const, columns: [{ name: 'id' }] },
  };

  test('fills defaults: csv gzip, Asia/Shanghai, 10-minute lag, the hourly schedule', () => {
    const c = resolveConfig(minimal);
    expect(c.format).toEqual({ fileFormat: 'csv', compression: 'gzip', fieldDelimiter: ',', nullFormat: '', header: false });
    expect(c.timezone).toBe('Asia/Shanghai');
    expect(c.streamLagMinutes).toBe(10);
    expect(c.schedule).toEqual({ cron: '00 00 * * * ?', startTimeExpression: '$[yyyymmddhh24-2/24]$[miss-10/24/60]', endTimeExpression: '$[yyyymmddhh24-1/24]$[miss-10/24/60]' });
  });

  test('reports every problem in one message', () => {
    let err: unknown;
    try {
      resolveConfig({
        tablestore: { endpoint: 'ftp://x', instanceName: 'inst' },
        oss: { endpoint: 'https://oss', region: 'cn-hangzhou', bucket: 'Bad_Bucket', prefix: '/lead' },
        format: { fileFormat: 'csv', compression: 'snappy', gzipLevel: 12 },
        layout: { mode: 'rows', columns: [] },
        streamLagMinutes: -1,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    for (const part of [
      'tablestore.endpoint "ftp://x" must be an http(s) URL',
      'tablestore.tableName is required',
      'oss.prefix "/lead" must not start or end with "/"',
      'oss.bucket "Bad_Bucket" is not a valid bucket name',
      'oss.region "cn-hangzhou" must be the ali-oss region name',
      'format.compression snappy applies to parquet only, not csv',
      'format.gzipLevel 12 must be an integer from 1 to 9',
      'layout.columns must list at least one column for rows mode',
      'streamLagMinutes -1 must be a non-negative number',
    ]) expect(message).toContain(part);
  });

  test('the --config argument round-trips as base64 and as inline JSON', () => {
    expect(parseConfigArgument(encodeConfigArgument(minimal))).toEqual(minimal);
    expect(parseConfigArgument(JSON.stringify(minimal))).toEqual(minimal);
  });

  test('an environment maps, from a VPC, to its VPC endpoints, bucket, typed export columns and schedule', () => {
    const dev = projectConfig.environments.find((e) => e.name === 'dev')!;
    const c = environmentConfig(dev, { network: 'vpc' });
    const instance = dev.tablestore.instances[0].name;
    expect(c.tablestore).toEqual({ endpoint: `https://${instance}.${dev.region}.vpc.tablestore.aliyuncs.com`, instanceName: instance, tableName: dev.tablestore.tables[0].name, isTimeseriesTable: false });
    expect(c.oss).toEqual({ endpoint: `https://oss-${dev.region}-internal.aliyuncs.com`, region: `oss-${dev.region}`, bucket: dev.bucket.name, prefix: dev.bucket.exportPrefix });
    expect(c.layout).toMatchObject({ mode: 'rows', columns: [{ name: 'device_id', type: 'string' }, { name: 'ts', type: 'int64' }, { name: 'temperature', type: 'double' }, { name: 'humidity', type: 'double' }, { name: 'status', type: 'string' }] });
    expect(c.schedule.cron).toBe(dev.schedule.cron);
  });

  test('picks one table of many by table or backup name, with its instance, format and schedule', () => {
    const dev = projectConfig.environments.find((e) => e.name === 'dev')!;
    const many: EnvironmentConfig = {
      ...dev,
      engine: 'runtime',
      exportFormat: { ...dev.exportFormat, compression: 'gzip' },
      tablestore: {
        ...dev.tablestore,
        instances: [...dev.tablestore.instances, { name: 'acme-iot', adopt: 'reference', statusTableName: 's', dataSourceName: 'iot_src' }],
        tables: [
          ...dev.tablestore.tables,
          {
            kind: 'wide-column', name: 'devices', instance: 'acme-iot', adopt: 'reference',
            primaryKey: [{ name: 'id', type: 'String' }], definedColumns: [{ name: 'n', type: 'Integer' }],
            exportFormat: { fileFormat: 'parquet' }, schedule: { cron: '00 30 01 * * ?' },
          },
        ],
      },
    };
    const c = environmentConfig(many, { table: 'devices' });
    expect(c.tablestore).toMatchObject({ instanceName: 'acme-iot', tableName: 'devices', endpoint: 'https://acme-iot.cn-hangzhou.ots.aliyuncs.com', isTimeseriesTable: false });
    expect(c.layout).toMatchObject({ columns: [{ name: 'id', type: 'string' }, { name: 'n', type: 'int64' }] });
    expect([c.format.fileFormat, c.format.compression, c.schedule.cron]).toEqual(['parquet', 'gzip', '00 30 01 * * ?']);
    expect(environmentConfig(many, { timeseries: true }).tablestore).toMatchObject({ tableName: 'device_metrics', isTimeseriesTable: true });
    expect(() => environmentConfig(many, { table: 'nope' })).toThrow('environment "dev" backs up no table "nope" (tables: device_readings, device_metrics, devices)');
  });
});

describe('redaction', () => {
  test('removes registered secrets, AccessKey ids, signatures and sensitive pairs', () => {
    registerSecret('s3cr3t-VALUE-registered');
    const text = [
      'failed with key s3cr3t-VALUE-registered',
      'AccessKeyId LTAIexample01 was denied',
      'Authorization: OSS LTAIxyz:c2lnbmF0dXJl',
      'GET /x?OSSAccessKeyId=abc&Signature=def%3D&Expires=1',
      '{"accessKeySecret":"plain","securityToken":"tok"}',
      'SignatureDoesNotMatch: The request signature we calculated does not match',
    ].join('\n');
    const out = redactText(text);
    for (const secret of ['s3cr3t-VALUE-registered', 'LTAIexample01', 'c2lnbmF0dXJl', 'OSSAccessKeyId=abc', 'def%3D', '"plain"', '"tok"']) expect(out).not.toContain(secret);
    expect(out).toContain('SignatureDoesNotMatch: The request signature we calculated does not match');
    expect(out).toContain('Expires=1');
  });

  test('log fields with sensitive names are replaced whatever they hold', () => {
    expect(redactValue({ accessKeySecret: 'x', nested: { securityToken: 'y', count: 3n }, ok: 'fine' })).toEqual({ accessKeySecret: '[REDACTED]', nested: { securityToken: '[REDACTED]', count: '3' }, ok: 'fine' });
    let line = '';
    new LineLogger({ sink: { write: (s: string) => (line = s) }, now: () => new Date(0) }).info('connecting', { accessKeyId: 'AKID', endpoint: 'https://x' });
    expect(JSON.parse(line)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'connecting', fields: { accessKeyId: '[REDACTED]', endpoint: 'https://x' } });
  });
});
