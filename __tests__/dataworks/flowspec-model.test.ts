import { projectConfig } from '../../lib/config/environments';
import { DataWorksApiError, DataWorksClient, syncDefinitionsForEnvironment } from '../../lib/dataworks';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';
import { checkFlowSpecModel } from '../../lib/sandbox/dataworks/flowspec-model';

const PROJECT = '204871';
const KEY = { accessKeyId: 'sandbox-key-id', accessKeySecret: 'sandbox-secret-value' };

describe('the FlowSpec the builder writes fits the dataworks-spec model', () => {
  for (const env of projectConfig.environments) {
    it(`${env.name} (engine ${env.engine})`, () => {
      for (const def of syncDefinitionsForEnvironment(env)) expect(() => checkFlowSpecModel(def.flowSpec)).not.toThrow();
    });
  }
});

describe('CreateNode refuses a FlowSpec outside the model, as DataWorks refuses an invalid spec', () => {
  let sandbox: DataWorksSandbox;
  beforeEach(async () => {
    sandbox = await startDataWorksSandbox({ credentials: [KEY], projects: [{ id: PROJECT, identifier: 'otsbk_dev' }] });
  });
  afterEach(() => sandbox.close());

  const dev = projectConfig.environments.find(e => e.name === 'dev')!;
  const good = () => JSON.parse(JSON.stringify(syncDefinitionsForEnvironment(dev)[0].flowSpec));
  const create = (spec: unknown) => new DataWorksClient({
    endpoint: sandbox.endpoint, regionId: 'cn-hangzhou', credentials: async () => KEY, retryPolicy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  }).createNode(PROJECT, 'n', JSON.stringify(spec));
  const refusal = async (spec: unknown) => {
    const e = await create(spec).then(() => undefined, x => x as DataWorksApiError);
    return e && { status: e.statusCode, code: e.code, message: e.message.replace(/ \[RequestId .*\]$/, '') };
  };
  type Spec = ReturnType<typeof good>;
  const variant = (change: (s: Spec) => void) => {
    const s = good();
    change(s);
    return s;
  };

  it('accepts the builder\'s spec', async () => {
    expect(await refusal(good())).toBeUndefined();
  });

  // What the old builder wrote (skills documentation) and other departures from the model, each on its own.
  const cases: Array<[string, (s: Spec) => void, RegExp]> = [
    ['version 2.0.0 (skills docs)', s => { s.version = '2.0.0'; }, /\$\.version "2\.0\.0" is not a SpecVersion value/],
    ['spec.dependencies instead of spec.flow', s => { s.spec.dependencies = s.spec.flow; delete s.spec.flow; }, /\$\.spec has unknown field "dependencies"/],
    ['timeoutUnit', s => { s.spec.nodes[0].timeoutUnit = 'HOURS'; }, /\$\.spec\.nodes\[0\] has unknown field "timeoutUnit"/],
    ['trigger.cycleType', s => { s.spec.nodes[0].trigger.cycleType = 'NotDaily'; }, /\$\.spec\.nodes\[0\]\.trigger has unknown field "cycleType"/],
    ['timeout as text', s => { s.spec.nodes[0].timeout = '1h'; }, /\.timeout must be an integer/],
    ['a rerun mode that does not exist', s => { s.spec.nodes[0].rerunMode = 'Sometimes'; }, /\.rerunMode "Sometimes" is not a NodeRerunModeType value/],
    ['a dependency type that does not exist', s => { s.spec.flow[0].depends[0].type = 'Strong'; }, /\.flow\[0\]\.depends\[0\]\.type "Strong" is not a DependencyType value/],
    ['a parameter scope that does not exist', s => { s.spec.nodes[0].script.parameters[0].scope = 'Node'; }, /\.parameters\[0\]\.scope "Node" is not a VariableScopeType value/],
    ['an unknown script field', s => { s.spec.nodes[0].script.code = 'x'; }, /\.script has unknown field "code"/],
    ['an unknown output field', s => { s.spec.nodes[0].outputs.nodeOutputs[0].name = 'x'; }, /\.nodeOutputs\[0\] has unknown field "name"/],
    ['a start time not in yyyy-MM-dd HH:mm:ss', s => { s.spec.nodes[0].trigger.startTime = '1970-01-01'; }, /\.trigger\.startTime "1970-01-01" is not yyyy-MM-dd HH:mm:ss/],
    ['an unknown time zone', s => { s.spec.nodes[0].trigger.timezone = 'Mars/Olympus'; }, /\.trigger\.timezone "Mars\/Olympus" is not a time zone/],
    ['no script path', s => { delete s.spec.nodes[0].script.path; }, /\.script\.path is required/],
    ['kind CycleWorkflow', s => { s.kind = 'CycleWorkflow'; }, /\$\.kind "CycleWorkflow" is not a CreateNode\/UpdateNode kind value/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what} with HTTP 400, code 58014884415`, async () => {
      const r = await refusal(variant(change));
      expect(r).toMatchObject({ status: 400, code: '58014884415' });
      expect(r!.message).toMatch(/Spec JSON parse failed: /);
      expect(r!.message).toMatch(message);
      expect(sandbox.state.nodes.size).toBe(0);
    });
  }
});
