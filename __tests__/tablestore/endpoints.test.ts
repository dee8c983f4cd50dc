/** Tablestore endpoints: one derivation from the instance's network ACL and the caller's network, for every caller. */
import { projectConfig } from '../../lib/config/environments';
import { validateConfiguration } from '../../lib/config/validate';
import { readOpsEnvironment } from '../../lib/ops';
import { main } from '../../lib/runtime/cli';
import type { CliIo } from '../../lib/runtime/cli/io';
import { environmentConfig, writeProjectEnvironments } from '../support/environments';
import { instanceEndpoint, resolveTablestoreEndpoint, tablestoreEndpointFor, TablestoreEndpointError } from '../../lib/tablestore/endpoints';

const prod = projectConfig.environments.find((e) => e.name === 'prod')!;
const dev = projectConfig.environments.find((e) => e.name === 'dev')!;

describe('endpoint derivation', () => {
  it('has the documented form for each network', () => {
    expect(tablestoreEndpointFor('inst', 'cn-hangzhou', 'internet')).toBe('https://inst.cn-hangzhou.ots.aliyuncs.com');
    expect(tablestoreEndpointFor('inst', 'cn-hangzhou', 'vpc')).toBe('https://inst.cn-hangzhou.vpc.tablestore.aliyuncs.com');
    expect(tablestoreEndpointFor('inst', 'cn-hangzhou', 'classic')).toBe('https://inst.cn-hangzhou.ots-internal.aliyuncs.com');
  });

  it('refuses a network the instance does not accept, naming the remedy', () => {
    const ask = { instanceName: 'otsbk-prd', region: 'cn-beijing', networkTypeAcl: ['VPC'], caller: 'the operations command', remedy: 'set X=vpc' } as const;
    expect(resolveTablestoreEndpoint({ ...ask, network: 'vpc' })).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    expect(() => resolveTablestoreEndpoint({ ...ask, network: 'internet' })).toThrow(TablestoreEndpointError);
    expect(() => resolveTablestoreEndpoint({ ...ask, network: 'internet' })).toThrow(
      'the operations command would reach Tablestore instance otsbk-prd over the internet, but the instance accepts only vpc traffic (network_type_acl ["VPC"]): set X=vpc',
    );
    expect(resolveTablestoreEndpoint({ ...ask, network: 'internet', override: 'https://pl.example.com' })).toBe('https://pl.example.com');
    expect(() => resolveTablestoreEndpoint({ ...ask, network: 'vpc', override: 'ftp://x' })).toThrow('must be an http(s) URL');
  });

  it('gives DataWorks the VPC endpoint unless the configuration sets one', () => {
    const instance = prod.tablestore.instances[0];
    expect(instanceEndpoint(instance, prod.region, 'dataworks', 'vpc')).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    const overridden = { ...instance, endpoints: { dataworks: 'https://otsbk-prd.private.example.com' } };
    // A referenced instance's ACL is unknown: nothing is refused up front.
    expect(instanceEndpoint({ name: 'theirs' }, 'cn-beijing', 'runtime', 'internet')).toBe('https://theirs.cn-beijing.ots.aliyuncs.com');
    expect(instanceEndpoint(overridden, prod.region, 'dataworks', 'vpc')).toBe('https://otsbk-prd.private.example.com');
  });

  it('validates configured endpoints', () => {
    const instances = [{ ...prod.tablestore.instances[0], endpoints: { operations: 'http://otsbk-prd.cn-beijing.ots.aliyuncs.com/x' } }, ...prod.tablestore.instances.slice(1)];
    const bad = { ...prod, tablestore: { ...prod.tablestore, instances } };
    expect(() => validateConfiguration({ ...projectConfig, environments: projectConfig.environments.map((e) => (e.name === 'prod' ? bad : e)) })).toThrow(
      'environment "prod": tablestore.instances[0].endpoints.operations: "http://otsbk-prd.cn-beijing.ots.aliyuncs.com/x" must be an https://host[:port] URL without a path',
    );
  });
});

describe('the operations command', () => {
  const settings = { environment: 'prod', allowTeardown: false, tablestoreNetworkTypeAcl: ['VPC'] };

  it('refuses the public endpoint of a VPC-only instance and says what to set', () => {
    expect(() => readOpsEnvironment({}).tablestoreEndpoint('cn-beijing', 'otsbk-prd', settings)).toThrow(
      /over the internet, but the instance accepts only vpc traffic .*OTSBK_TABLESTORE_NETWORK=vpc.*OTSBK_TABLESTORE_ENDPOINT/,
    );
  });

  it('uses the VPC endpoint inside the VPC, and an explicit endpoint first', () => {
    expect(readOpsEnvironment({ OTSBK_TABLESTORE_NETWORK: 'vpc' }).tablestoreEndpoint('cn-beijing', 'otsbk-prd', settings)).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    expect(readOpsEnvironment({}).tablestoreEndpoint('cn-beijing', 'otsbk-prd', { ...settings, tablestoreEndpoint: 'https://cfg.example.com' })).toBe('https://cfg.example.com');
    expect(readOpsEnvironment({ OTSBK_TABLESTORE_ENDPOINT: 'http://127.0.0.1:9' }).tablestoreEndpoint('cn-beijing', 'otsbk-prd', settings)).toBe('http://127.0.0.1:9');
    expect(() => readOpsEnvironment({ OTSBK_TABLESTORE_NETWORK: 'lan' }).tablestoreEndpoint('cn-beijing', 'otsbk-prd', settings)).toThrow(
      'OTSBK_TABLESTORE_NETWORK "lan" must be one of internet, vpc, classic',
    );
  });

  it('keeps the public endpoint for an instance that accepts the internet', () => {
    expect(readOpsEnvironment({}).tablestoreEndpoint('cn-hangzhou', 'otsbk-dev', { environment: 'dev', allowTeardown: true, tablestoreNetworkTypeAcl: ['VPC', 'INTERNET', 'CLASSIC'] }))
      .toBe('https://otsbk-dev.cn-hangzhou.ots.aliyuncs.com');
  });
});

describe('the runtime', () => {
  it('uses the VPC endpoints from a VPC', () => {
    const c = environmentConfig(prod, { network: 'vpc' });
    expect(c.tablestore.endpoint).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    expect(c.oss.endpoint).toBe('https://oss-cn-beijing-internal.aliyuncs.com');
  });

  it('refuses --env of a VPC-only instance from the internet with exit 2, and follows --network / --endpoint', async () => {
    let err = '';
    const io: CliIo = { stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s), isTTY: false }, env: { OTSBK_ENVIRONMENTS_FILE: writeProjectEnvironments() }, cwd: '/tmp', now: () => Date.UTC(2024, 0, 15, 6) };
    expect(await main(['list', '--env', 'prod', '--start', '20240115085000', '--end', '20240115095000'], io)).toBe(2);
    expect(err).toMatch(/environment prod: the sync runtime would reach Tablestore instance otsbk-prd over the internet, but the instance accepts only vpc traffic.*--network vpc.*--endpoint/);
    expect(environmentConfig(prod, { network: 'vpc' }).tablestore.endpoint).toBe('https://otsbk-prd.cn-beijing.vpc.tablestore.aliyuncs.com');
    expect(environmentConfig(prod, { endpoint: 'http://127.0.0.1:1' }).tablestore.endpoint).toBe('http://127.0.0.1:1');
    expect(environmentConfig(dev).tablestore.endpoint).toBe('https://otsbk-dev.cn-hangzhou.ots.aliyuncs.com');
    // windows needs only the schedule: no endpoint is derived.
    expect(await main(['windows', '--env', 'prod', '--from', '20240115', '--to', '20240116'], io)).toBe(0);
  });
});
