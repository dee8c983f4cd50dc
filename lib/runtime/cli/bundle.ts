/**
 * `npm run build`: bundles the sync runtime into ONE file, `dist/otsbk-sync.js`, and the operations command into
 * `dist/ops.js` when its entry exists. Node 20, CommonJS, not minified (a person debugging a node's log can read
 * the stack), no source map, no timestamps: the same sources always give the same bytes, so the stack's asset
 * key (content hash) changes only when the code does.
 *
 * Usage: ts-node --transpile-only lib/runtime/cli/bundle.ts [--check]
 *   --check  build twice into a temporary directory and fail unless both builds are byte-identical
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, BuildOptions } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..', '..');

interface BundleTarget {
  readonly entry: string;
  readonly outfile: string;
  readonly optional: boolean;
}

const TARGETS: readonly BundleTarget[] = [
  { entry: 'lib/runtime/cli.ts', outfile: 'otsbk-sync.js', optional: false },
  { entry: 'lib/ops/main.ts', outfile: 'ops.js', optional: true },
];

function options(entry: string, outfile: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: false,
    sourcemap: false,
    legalComments: 'inline',
    charset: 'utf8',
    // urllib (under ali-oss) requires proxy-agent only when an HTTP proxy is configured; it is not installed.
    external: ['proxy-agent'],
    logLevel: 'warning',
  };
}

async function buildAll(outDir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const t of TARGETS) {
    if (!existsSync(join(ROOT, t.entry))) {
      if (t.optional) continue;
      throw new Error(`bundle entry ${t.entry} does not exist`);
    }
    const outfile = join(outDir, t.outfile);
    await build(options(t.entry, outfile));
    hashes.set(t.outfile, createHash('sha256').update(readFileSync(outfile)).digest('hex'));
  }
  return hashes;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const dist = join(ROOT, 'dist');
  const hashes = await buildAll(dist);
  for (const [file, hash] of hashes) process.stdout.write(`dist/${file}  sha256 ${hash}\n`);
  if (!check) return;
  const tmp = mkdtempSync(join(tmpdir(), 'otsbk-bundle-'));
  try {
    const again = await buildAll(tmp);
    for (const [file, hash] of hashes) {
      if (again.get(file) !== hash) throw new Error(`dist/${file} is not reproducible: a second build gave sha256 ${again.get(file)}`);
    }
    process.stdout.write('reproducible: a second build gave identical bytes\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
