/**
 * `dist/ops.js` starts the operations command through V8's code cache (lib/common/code-cache.ts, lib/ops/start.ts):
 * the bundles as `npm run build` wrote them, copied to a temporary directory and started from another working
 * directory, with the cache's debug lines on.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheData, CODE_CACHE_DIR } from '../../lib/common/code-cache';
import { OPS_COMMAND_BUNDLE } from '../../lib/ops/start';
import { OPS_BUNDLES, writeBundles } from '../../tools/bundle';

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'otsbk-code-cache-'));
  await writeBundles(join(root, 'dist'), OPS_BUNDLES);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const start = (dist: string, args: string[], flags: string[] = []) =>
  spawnSync(process.execPath, [...flags, join(dist, 'ops.js'), ...args], { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, OTSBK_CODE_CACHE_DEBUG: '1' } });
const cacheFiles = (dist: string) => readdirSync(join(dist, CODE_CACHE_DIR)).map(name => join(dist, CODE_CACHE_DIR, name));

describe('the operations command', () => {
  const dist = () => join(root, 'dist');
  const help = () => start(dist(), ['check', '--help']);

  it('writes its cache on the first start and runs from it on the next', () => {
    const first = help();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('usage: ops check <env>');
    expect(first.stderr).toContain('[otsbk-ops code cache] ops-command.js (check): miss');
    expect(first.stderr).toMatch(/ops-command\.js \(check\): wrote \d+ bytes/);
    const [file] = cacheFiles(dist());
    expect(file).toMatch(/ops-command\.js\.check\.[0-9a-f]{32}\.bin$/);
    const written = statSync(file);

    const second = help();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('usage: ops check <env>');
    expect(second.stderr).toContain('ops-command.js (check): hit');
    expect(second.stderr).not.toContain('wrote');
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(cacheFiles(dist())).toEqual([file]);
  });

  it('compiles as usual and writes a new cache when the file is corrupt or V8 rejects it', () => {
    const [file] = cacheFiles(dist());
    // Bytes flipped throughout V8's data, length kept: V8 itself would take it (and crash or run wrong code).
    const bytes = readFileSync(file);
    for (let i = bytes.length >> 2; i < bytes.length; i += 997) bytes[i] ^= 0x5a;
    writeFileSync(file, bytes);
    const corrupt = help();
    expect(corrupt.status).toBe(0);
    expect(corrupt.stderr).toContain('usage: ops check <env>');
    expect(corrupt.stderr).toContain('ops-command.js (check): corrupt');
    expect(corrupt.stderr).toMatch(/ops-command\.js \(check\): wrote \d+ bytes/);
    expect(cacheData(readFileSync(file))).toBeDefined();

    // Other V8 flags: V8 refuses the data.
    const rejected = start(dist(), ['check', '--help'], ['--no-opt']);
    expect(rejected.status).toBe(0);
    expect(rejected.stderr).toContain('ops-command.js (check): rejected');
    expect(rejected.stderr).toMatch(/ops-command\.js \(check\): wrote \d+ bytes/);
  });

  it('runs when the cache cannot be written', () => {
    rmSync(join(dist(), CODE_CACHE_DIR), { recursive: true });
    writeFileSync(join(dist(), CODE_CACHE_DIR), 'not a directory');
    const r = help();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('usage: ops check <env>');
    expect(r.stderr).toContain('ops-command.js (check): miss');
    expect(r.stderr).toMatch(/ops-command\.js \(check\): not written: .*\.code-cache/);
    rmSync(join(dist(), CODE_CACHE_DIR));
  });
});

describe('a command started through the cache', () => {
  // The real start (ops.js) with a small command in place of the operations command.
  const COMMAND = [
    "const beside = require('./ops-tablestore.js');",
    "const { sep } = require('node:path');",
    "if (process.argv[2] === 'throw') throw new Error('thrown on line 3');",
    'process.stdout.write(JSON.stringify({ beside, filename: __filename, dirname: __dirname, sep }));',
  ].join('\n');
  let dist: string;
  beforeAll(() => {
    dist = join(root, 'small');
    mkdirSync(dist);
    copyFileSync(join(root, 'dist', 'ops.js'), join(dist, 'ops.js'));
    writeFileSync(join(dist, OPS_COMMAND_BUNDLE), COMMAND);
    writeFileSync(join(dist, 'ops-tablestore.js'), 'module.exports = { filename: __filename, self: typeof require };');
  });

  it('loads the bundle beside it and node builtins through the cache, with its own __filename', () => {
    const expected = { beside: { filename: join(dist, 'ops-tablestore.js'), self: 'function' }, filename: join(dist, OPS_COMMAND_BUNDLE), dirname: dist, sep: '/' };
    const first = start(dist, ['run']);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(expected);
    expect(first.stderr).toContain('ops-tablestore.js (run): miss');
    const second = start(dist, ['run']);
    expect(JSON.parse(second.stdout)).toEqual(expected);
    expect(second.stderr).toContain('ops-command.js (run): hit');
    expect(second.stderr).toContain('ops-tablestore.js (run): hit');
    expect(cacheFiles(dist).map(f => f.slice(dist.length + CODE_CACHE_DIR.length + 2).split('.').slice(0, 3).join('.')).sort()).toEqual(['ops-command.js.run', 'ops-tablestore.js.run']);
  });

  it("reports an uncaught error with the bundle's file and line", () => {
    const r = start(dist, ['throw']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: thrown on line 3');
    expect(r.stderr).toContain(`at Object.<anonymous> (${join(dist, OPS_COMMAND_BUNDLE)}:3:`);
  });
});
