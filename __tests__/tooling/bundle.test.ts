/**
 * The bundles as `npm run build` wrote them (tools/bundle.ts), copied to a temporary directory and run from there.
 * The one-file runtime carries no environment: lib/config/environments.ts is not among the bundle's inputs, and
 * `--env` reads the environments file the build writes beside it. `ops.js` starts the operations command through
 * V8's code cache (lib/common/code-cache.ts, lib/ops/start.ts), checked here from another working directory with the
 * cache's debug lines on.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheData, CODE_CACHE_DIR } from '../../lib/common/code-cache';
import { OPS_COMMAND_BUNDLE } from '../../lib/ops/start';
import { OPS_BUNDLES, writeBundles, writeEnvironmentCatalog } from '../../tools/bundle';

const RUNTIME = 'otsbk-sync.js';

let dir: string;
let inputs: readonly string[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otsbk-bundle-'));
  inputs = (await writeBundles(dir, [RUNTIME, ...OPS_BUNDLES])).get(RUNTIME)!;
  writeEnvironmentCatalog(dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the runtime bundle', () => {

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

const start = (dist: string, args: string[], flags: string[] = []) =>
  spawnSync(process.execPath, [...flags, join(dist, 'ops.js'), ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, OTSBK_CODE_CACHE_DEBUG: '1' } });
const cacheFiles = (dist: string) => readdirSync(join(dist, CODE_CACHE_DIR)).map(name => join(dist, CODE_CACHE_DIR, name));

describe("the operations command's code cache", () => {
  const help = () => start(dir, ['check', '--help']);

  it('writes its cache on the first start and runs from it on the next', () => {
    const first = help();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('usage: ops check <env>');
    expect(first.stderr).toContain('[otsbk-ops code cache] ops-command.js (check): miss');
    expect(first.stderr).toMatch(/ops-command\.js \(check\): wrote \d+ bytes/);
    const [file] = cacheFiles(dir);
    expect(file).toMatch(/ops-command\.js\.check\.[0-9a-f]{32}\.bin$/);
    const written = statSync(file);

    const second = help();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('usage: ops check <env>');
    expect(second.stderr).toContain('ops-command.js (check): hit');
    expect(second.stderr).not.toContain('wrote');
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(cacheFiles(dir)).toEqual([file]);
  });
});

describe('a small command started by ops.js', () => {
  // The real start (ops.js) with a small command in place of the operations command.
  const COMMAND = [
    "const beside = require('./ops-tablestore.js');",
    "const { sep } = require('node:path');",
    "if (process.argv[2] === 'throw') throw new Error('thrown on line 3');",
    'process.stdout.write(JSON.stringify({ beside, filename: __filename, dirname: __dirname, sep }));',
  ].join('\n');
  let small: string;
  beforeAll(() => {
    small = join(dir, 'small');
    mkdirSync(small);
    copyFileSync(join(dir, 'ops.js'), join(small, 'ops.js'));
    writeFileSync(join(small, OPS_COMMAND_BUNDLE), COMMAND);
    writeFileSync(join(small, 'ops-tablestore.js'), 'module.exports = { filename: __filename, self: typeof require };');
  });

  it('loads the bundle beside it and node builtins through the cache, with its own __filename', () => {
    // What an earlier build of the command left, and the cache of another kind of run.
    mkdirSync(join(small, CODE_CACHE_DIR));
    const stale = join(small, CODE_CACHE_DIR, `ops-command.js.run.${'0'.repeat(32)}.bin`);
    const otherRun = join(small, CODE_CACHE_DIR, `ops-command.js.other.${'0'.repeat(32)}.bin`);
    writeFileSync(stale, 'stale');
    writeFileSync(otherRun, 'other');
    const expected = { beside: { filename: join(small, 'ops-tablestore.js'), self: 'function' }, filename: join(small, OPS_COMMAND_BUNDLE), dirname: small, sep: '/' };
    const first = start(small, ['run']);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(expected);
    expect(first.stderr).toContain('ops-tablestore.js (run): miss');
    const second = start(small, ['run']);
    expect(JSON.parse(second.stdout)).toEqual(expected);
    expect(second.stderr).toContain('ops-command.js (run): hit');
    expect(second.stderr).toContain('ops-tablestore.js (run): hit');
    const names = cacheFiles(small).map(f => f.slice(small.length + CODE_CACHE_DIR.length + 2)).sort();
    expect(names.map(n => n.split('.').slice(0, 3).join('.'))).toEqual(['ops-command.js.other', 'ops-command.js.run', 'ops-tablestore.js.run']);
    expect(names).not.toContain(stale.slice(small.length + CODE_CACHE_DIR.length + 2));
    expect(readFileSync(otherRun, 'utf8')).toBe('other');
  });

  it('compiles as usual and writes a new cache when the file is corrupt or V8 rejects it', () => {
    const file = cacheFiles(small).find(f => f.includes('ops-command.js.run.'))!;
    // Bytes flipped, length kept: V8 itself would take the data (and crash or run wrong code).
    const bytes = readFileSync(file);
    for (let i = bytes.length >> 1; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
    writeFileSync(file, bytes);
    const corrupt = start(small, ['run']);
    expect(corrupt.status).toBe(0);
    expect(corrupt.stdout).toContain(OPS_COMMAND_BUNDLE);
    expect(corrupt.stderr).toContain('ops-command.js (run): corrupt');
    expect(corrupt.stderr).toMatch(/ops-command\.js \(run\): wrote \d+ bytes/);
    expect(cacheData(readFileSync(file))).toBeDefined();

    // Other V8 flags: V8 refuses the data.
    const rejected = start(small, ['run'], ['--no-opt']);
    expect(rejected.status).toBe(0);
    expect(rejected.stderr).toContain('ops-command.js (run): rejected');
    expect(rejected.stderr).toMatch(/ops-command\.js \(run\): wrote \d+ bytes/);
  });

  it('runs when the cache cannot be written', () => {
    rmSync(join(small, CODE_CACHE_DIR), { recursive: true });
    writeFileSync(join(small, CODE_CACHE_DIR), 'not a directory');
    const r = start(small, ['run']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(OPS_COMMAND_BUNDLE);
    expect(r.stderr).toContain('ops-command.js (run): miss');
    expect(r.stderr).toMatch(/ops-command\.js \(run\): not written: .*\.code-cache/);
  });

  it("reports an uncaught error with the bundle's file and line", () => {
    const r = start(small, ['throw']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: thrown on line 3');
    expect(r.stderr).toContain(`at Object.<anonymous> (${join(small, OPS_COMMAND_BUNDLE)}:3:`);
  });
});
