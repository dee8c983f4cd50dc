import { request } from 'node:http';
import { canonicalJson, DataWorksApiError, DataWorksClient, parseJsonPreservingLargeIntegers } from '../../lib/dataworks';
import { DataWorksSandbox, startDataWorksSandbox } from '../../lib/sandbox/dataworks';

const PROJECT = '204871';
const credentials = (secret = 'sandbox-secret-value') => async () => ({ accessKeyId: 'LTAI-sandbox', accessKeySecret: secret });
const noWait = async () => undefined;

const nodeSpec = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  version: '1.1.0',
  kind: 'Node',
  spec: {
    nodes: [{ id: name, name, description: 'd', script: { path: name, runtime: { command: 'DIDE_SHELL' }, content: 'echo $1' }, trigger: { type: 'Scheduler', cron: '00 00 * * * ?' }, ...extra }],
    flow: [{ nodeId: name, depends: [{ type: 'Normal', output: 'ws_root' }] }],
  },
});

describe('JSON helpers', () => {
  it('keeps every digit of integers beyond 2^53 outside strings, and leaves strings alone', () => {
    const text = '{"Id":8604388726201130001,"Small":12,"F":1.5e3,"Neg":-8604388726201130001,"S":"{\\"id\\":8604388726201130001}","A":[9007199254740993]}';
    expect(parseJsonPreservingLargeIntegers(text)).toEqual({ Id: '8604388726201130001', Small: 12, F: 1500, Neg: '-8604388726201130001', S: '{"id":8604388726201130001}', A: ['9007199254740993'] });
  });

  it('serializes canonically whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('DataWorks client against the loopback server', () => {
  let sandbox: DataWorksSandbox;
  beforeEach(async () => {
    sandbox = await startDataWorksSandbox({ credentials: [{ accessKeyId: 'LTAI-sandbox', accessKeySecret: 'sandbox-secret-value' }], projects: [{ id: PROJECT, identifier: 'ws' }] });
  });
  afterEach(() => sandbox.close());
  const client = (secret?: string) => new DataWorksClient({ endpoint: sandbox.endpoint, regionId: 'cn-hangzhou', credentials: credentials(secret), retryPolicy: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 }, sleep: noWait });

  it('creates, reads and lists a node whose id exceeds 2^53 without losing digits', async () => {
    const id = await client().createNode(PROJECT, 'n1', nodeSpec('n1'));
    expect(id).toBe('8604388726201130001');
    const found = await client().findNodeByName(PROJECT, 'n1');
    expect(found).toMatchObject({ id, name: 'n1', description: 'd' });
    const node = await client().getNode(PROJECT, id);
    expect(JSON.parse(node.spec).spec.nodes[0].id).toBe(id);
  });

  it('is refused by the server when the signature is wrong, and does not retry that', async () => {
    await expect(client('another-secret-value').listNodes(PROJECT, 1, 10)).rejects.toThrow(/SignatureDoesNotMatch \(HTTP 400\)/);
    expect(sandbox.requests.filter(r => r.action === 'ListNodes')).toHaveLength(1);
  });

  it('rejects a replayed nonce, a tampered body or query and an unsigned request', async () => {
    // Capture correctly signed requests (a POST with a form body, a GET with a query), then replay and tamper with them.
    const captured: { method: string; url: string; headers: Record<string, string>; body: string }[] = [];
    const realSandbox = sandbox;
    const { createServer } = await import('node:http');
    const spy = createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        captured.push({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers as Record<string, string>, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"Id":"8604388726201139999","PagingInfo":{"Nodes":[],"TotalCount":"0"}}');
      });
    });
    await new Promise<void>(r => spy.listen(0, '127.0.0.1', r));
    const port = (spy.address() as { port: number }).port;
    const spyClient = new DataWorksClient({ endpoint: `http://127.0.0.1:${port}`, regionId: 'cn-hangzhou', credentials: credentials() });
    await spyClient.createNode(PROJECT, 'n0', nodeSpec('n0'));
    await spyClient.listNodes(PROJECT, 1, 10);
    spy.close();
    const send = (method: string, url: string, headers: Record<string, string>, body: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${realSandbox.endpoint}${url}`, { method, headers: { ...headers, host: headers.host } }, res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    const [post, get] = captured;
    expect([post.method, get.method]).toEqual(['POST', 'GET']);
    // The same signed bytes are accepted once; then the nonce is spent.
    expect((await send(post.method, post.url, post.headers, post.body)).status).toBe(200);
    expect((await send(post.method, post.url, post.headers, post.body)).body).toContain('SignatureNonceUsed');
    const tampered = post.body.replace('Scene=DATAWORKS_PROJECT', 'Scene=DATAWORKS_MANUAL_TASK');
    expect(tampered).not.toBe(post.body);
    expect((await send(post.method, post.url, post.headers, tampered)).body).toContain('InvalidContentSha256');
    const { createHash } = await import('node:crypto');
    const rehashed = { ...post.headers, 'x-acs-content-sha256': createHash('sha256').update(tampered).digest('hex'), 'x-acs-signature-nonce': 'fresh-nonce' };
    expect((await send(post.method, post.url, rehashed, tampered)).body).toContain('SignatureDoesNotMatch');
    // The query is signed too.
    const otherPage = get.url.replace('PageSize=10', 'PageSize=99');
    expect(otherPage).not.toBe(get.url);
    expect((await send(get.method, otherPage, get.headers, '')).body).toContain('SignatureDoesNotMatch');
    const { authorization: _a, ...unsigned } = post.headers;
    expect((await send(post.method, post.url, unsigned, post.body)).body).toContain('MissingAuthorization');
  });

  it('retries throttling and 5xx, and adopts a node whose CreateNode answer was lost', async () => {
    sandbox.inject({ action: 'ListNodes', fault: { kind: 'throttle' } });
    sandbox.inject({ action: 'ListNodes', fault: { kind: 'server-error', status: 503 } });
    expect(await client().findNodeByName(PROJECT, 'absent')).toBeUndefined();
    sandbox.inject({ action: 'CreateNode', fault: { kind: 'drop-after' } });
    const id = await client().createNode(PROJECT, 'n2', nodeSpec('n2'));
    expect(sandbox.state.nodes.size).toBe(1);
    expect(sandbox.state.nodeByName(PROJECT, 'n2')!.id.toString()).toBe(id);
    expect(sandbox.requests.filter(r => r.action === 'CreateNode').map(r => r.outcome)).toEqual(['dropped']);
  });

  it('gives up after the retry budget with the last error', async () => {
    sandbox.inject({ action: 'GetNode', count: 10, fault: { kind: 'server-error', status: 500 } });
    const id = await client().createNode(PROJECT, 'n3', nodeSpec('n3'));
    const e = await client().getNode(PROJECT, id).catch(x => x);
    expect(e).toBeInstanceOf(DataWorksApiError);
    expect(e.message).toMatch(/GetNode failed: InternalError \(HTTP 500\)/);
    expect(sandbox.requests.filter(r => r.action === 'GetNode')).toHaveLength(4);
  });

  it('drops dependencies when the node id is not its name, as the FlowSpec guide warns', async () => {
    const spec = JSON.parse(nodeSpec('n4'));
    spec.spec.nodes[0].id = 'other';
    const id = await client().createNode(PROJECT, 'n4', JSON.stringify(spec));
    expect(JSON.parse((await client().getNode(PROJECT, id)).spec).spec.flow).toEqual([]);
  });
});
