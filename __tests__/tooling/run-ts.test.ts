import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const RUN_TS = join(ROOT, 'tools', 'run-ts.js');

describe('tools/run-ts.js', () => {
  let dir: string;
  beforeAll(() => {
    // Node reports module paths with symlinks resolved (macOS's tmpdir is one).
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'otsbk-run-ts-')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a TypeScript entry as node would run a script: its own __dirname, require.main, argv, imports of .ts files', () => {
    writeFileSync(join(dir, 'helper.ts'), 'export const twice = (n: number): number => n * 2;\n');
    writeFileSync(join(dir, 'entry.ts'), [
      "import { twice } from './helper';",
      'class Box { value = 21; constructor(readonly label: string) {} }',
      'const box = new Box("x");',
      'console.log(JSON.stringify({ dirname: __dirname, main: require.main === module, args: process.argv.slice(2), value: twice(box.value), label: box.label }));',
      '',
    ].join('\n'));
    const r = spawnSync(process.execPath, [RUN_TS, join(dir, 'entry.ts'), '--flag', 'value'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ dirname: dir, main: true, args: ['--flag', 'value'], value: 42, label: 'x' });
  });

  it('points stack traces at the TypeScript lines and exits non-zero on an uncaught error', () => {
    writeFileSync(join(dir, 'fails.ts'), ['type T = { a: number };', 'const t: T = { a: 1 };', 'if (t.a === 1) {', '  throw new Error("boom");', '}', ''].join('\n'));
    const r = spawnSync(process.execPath, [RUN_TS, join(dir, 'fails.ts')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('boom');
    expect(r.stderr).toContain(`${join(dir, 'fails.ts')}:4`);
  });
});
