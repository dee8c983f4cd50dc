/**
 * The one-file runtime (tools/bundle.ts) carries no environment: lib/config/environments.ts is not among the bundle's
 * inputs, and `--env` reads the environments file the build writes beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBundles, writeEnvironmentCatalog } from '../../tools/bundle';

const RUNTIME = 'otsbk-sync.js';

describe('the runtime bundle', () => {
  let dir: string;
  let inputs: readonly string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otsbk-bundle-'));
    inputs = (await writeBundles(dir, [RUNTIME])).get(RUNTIME)!;
    writeEnvironmentCatalog(dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is built from the runtime only: no environment, no project configuration', () => {
    expect(inputs).toContain('lib/runtime/cli/options.ts');
    expect(inputs.filter(i => i.startsWith('lib/config/'))).toEqual([]);
  });

  const run = (...args: string[]) => spawnSync(process.execPath, [join(dir, RUNTIME), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });

  it('runs --env dev from the environments file beside it, and says what is missing without it', () => {
    const ok = run('windows', '--env', 'dev', '--from', '20230423', '--to', '20230423020000');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ timezone: 'Asia/Shanghai', tiles: true, windows: [{ startTime: '20230422225000' }, { startTime: '20230422235000' }] });
    rmSync(join(dir, 'otsbk-environments.json'));
    const missing = run('windows', '--env', 'dev', '--from', '20230423', '--to', '20230423020000');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`--env needs the environments file ${join(dir, 'otsbk-environments.json')}, which does not exist`);
  });
});
