/**
 * `npm run build`: bundles the sync runtime into ONE file, `dist/otsbk-sync.js`, and the operations command into
 * `dist/ops-command.js` when its entry exists, with `dist/ops.js` that starts it through V8's code cache (the cache,
 * `dist/.code-cache/`, is written by the runs, never by the build: lib/common/code-cache.ts), and writes the
 * project's environments as the runtime's `--env` reads them beside the bundle, `dist/otsbk-environments.json`
 * (lib/runtime-environments.ts): the runtime's code never imports lib/config/environments.ts, so the bundle does not
 * change when only the configuration does. Node 20, CommonJS, not minified (a person debugging a node's log can read
 * the stack), no source map, no timestamps: the same sources always give the same bytes, so the stack's asset
 * key (content hash) changes only when the code does.
 *
 * A build whose inputs are unchanged is skipped (every synthesis runs this): `dist/.build-stamp.json` records the
 * files esbuild read for the last build (from its metafile) and a digest of their contents, this file, the esbuild
 * version, package-lock.json and the names of the files under lib/ (a new file can change how an import resolves).
 * The bundles are rebuilt when that digest or the bundles' own bytes differ from the stamp.
 *
 * Usage: node tools/run-ts.js tools/bundle.ts [--force] [--check]
 *   --force  build even if the stamp says the bundles are up to date
 *   --check  build twice into a temporary directory and fail unless both builds are byte-identical
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build, BuildOptions, version as esbuildVersion } from 'esbuild';
import { projectConfig } from '../lib/config/environments';
import { validateConfiguration } from '../lib/config/validate';
import { environmentCatalog } from '../lib/runtime-environments';
import { ENVIRONMENT_CATALOG_FILE } from '../lib/runtime/sync/environments';
import { OPS_COMMAND_BUNDLE } from '../lib/ops/start';

const ROOT = resolve(__dirname, '..');
const STAMP = join(ROOT, 'dist', '.build-stamp.json');

interface BuildStamp {
  /** Digest of everything the bundles were built from (see inputsDigest). */
  readonly digest: string;
  /** Files esbuild read, relative to the root. */
  readonly inputs: readonly string[];
  /** sha256 of each bundle written, by file name in dist/. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The files esbuild read for each bundle, by file name in dist/. */
  readonly inputsOf: Readonly<Record<string, readonly string[]>>;
}

interface BundleTarget {
  readonly entry: string;
  readonly outfile: string;
  readonly optional: boolean;
  /** Packages the bundle requires from another bundle beside it (package name → that bundle's file in dist/). */
  readonly beside?: Readonly<Record<string, string>>;
}

export const TARGETS: readonly BundleTarget[] = [
  { entry: 'lib/runtime/cli.ts', outfile: 'otsbk-sync.js', optional: false },
  // Only the table-stream commands use the Tablestore SDK (1.6 MB, 1.35 MB of it generated protobuf code), and they
  // require it on their first call: in a file of its own, every other start of the command does not read and compile it.
  { entry: 'lib/ops/main.ts', outfile: OPS_COMMAND_BUNDLE, optional: true, beside: { tablestore: 'ops-tablestore.js' } },
  { entry: 'node_modules/tablestore/index.js', outfile: 'ops-tablestore.js', optional: true },
  // What the provisioners run: a few KB that start the command through V8's code cache (lib/common/code-cache.ts).
  { entry: 'lib/ops/start.ts', outfile: 'ops.js', optional: true },
];

/** The operations command's bundles: its start, the command and the bundles it requires from beside it. */
export const OPS_BUNDLES: readonly string[] = ['ops.js', OPS_COMMAND_BUNDLE, 'ops-tablestore.js'];

export function options(entry: string, outfile: string, beside: Readonly<Record<string, string>> = {}): BuildOptions {
  const besideNames = Object.keys(beside);
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
    // `require('<package>')` becomes `require('./<its bundle>')`, which Node resolves beside the requiring bundle.
    plugins: besideNames.length === 0 ? [] : [{
      name: 'beside',
      setup(b) {
        b.onResolve({ filter: new RegExp(`^(${besideNames.map(n => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`) }, args => ({ path: `./${beside[args.path]}`, external: true }));
      },
    }],
    logLevel: 'warning',
  };
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Digest of the inputs of a build; undefined when one of them is gone. */
function inputsDigest(inputs: readonly string[]): string | undefined {
  const h = createHash('sha256');
  h.update(`esbuild ${esbuildVersion}\0`).update(readFileSync(__filename)).update('\0');
  h.update(readFileSync(join(ROOT, 'package-lock.json'))).update('\0');
  h.update(filesUnder('lib').join('\n')).update('\0');
  for (const input of inputs) {
    const file = join(ROOT, input);
    if (!existsSync(file)) return undefined;
    h.update(input).update('\0').update(sha256(readFileSync(file))).update('\0');
  }
  return h.digest('hex');
}

/** The stamp, if it shows that the bundles in dist/ were built from the inputs as they are now. */
function currentStamp(dist: string): BuildStamp | undefined {
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
  if (!stamp.inputsOf || inputsDigest(stamp.inputs) !== stamp.digest) return undefined;
  for (const [file, hash] of Object.entries(stamp.outputs)) {
    const path = join(dist, file);
    if (!existsSync(path) || sha256(readFileSync(path)) !== hash) return undefined;
  }
  return stamp;
}

async function buildAll(outDir: string, targets: readonly BundleTarget[] = TARGETS): Promise<{ hashes: Map<string, string>; inputs: string[]; inputsOf: Record<string, string[]> }> {
  const hashes = new Map<string, string>();
  const inputs = new Set<string>();
  const inputsOf: Record<string, string[]> = {};
  for (const t of targets) {
    if (!existsSync(join(ROOT, t.entry))) {
      if (t.optional) continue;
      throw new Error(`bundle entry ${t.entry} does not exist`);
    }
    const outfile = join(outDir, t.outfile);
    const result = await build({ ...options(t.entry, outfile, t.beside), metafile: true });
    inputsOf[t.outfile] = Object.keys(result.metafile?.inputs ?? {}).sort();
    for (const input of inputsOf[t.outfile]) inputs.add(input);
    hashes.set(t.outfile, sha256(readFileSync(outfile)));
  }
  return { hashes, inputs: [...inputs].sort(), inputsOf };
}

/**
 * Bundles as `npm run build` writes them, into `outDir` (tests run them there): copied from dist/ when the build
 * stamp shows them current (`npm test` builds first), built there otherwise; dist/ itself is left as it is.
 * Returns the files esbuild read for each.
 */
export async function writeBundles(outDir: string, outfiles: readonly string[]): Promise<Map<string, readonly string[]>> {
  mkdirSync(outDir, { recursive: true });
  const dist = join(ROOT, 'dist');
  const stamp = currentStamp(dist);
  if (stamp && outfiles.every(file => stamp.inputsOf[file])) {
    for (const file of outfiles) copyFileSync(join(dist, file), join(outDir, file));
    return new Map(outfiles.map(file => [file, stamp.inputsOf[file]]));
  }
  const { inputsOf } = await buildAll(outDir, TARGETS.filter(t => outfiles.includes(t.outfile)));
  return new Map(outfiles.map(file => [file, inputsOf[file]]));
}

/** Writes the environments file (only when its content changed, so its mtime says when the configuration did). */
export function writeEnvironmentCatalog(dist: string): void {
  validateConfiguration(projectConfig);
  const file = join(dist, ENVIRONMENT_CATALOG_FILE);
  const text = `${JSON.stringify(environmentCatalog(projectConfig), null, 1)}\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(dist, { recursive: true });
    writeFileSync(file, text);
  }
  process.stdout.write(`dist/${ENVIRONMENT_CATALOG_FILE}  sha256 ${sha256(text)}\n`);
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const force = process.argv.includes('--force');
  const dist = join(ROOT, 'dist');
  writeEnvironmentCatalog(dist);
  const current = force || check ? undefined : currentStamp(dist);
  if (current) {
    for (const [file, hash] of Object.entries(current.outputs)) process.stdout.write(`dist/${file}  sha256 ${hash}  (up to date)\n`);
    return;
  }
  const { hashes, inputs, inputsOf } = await buildAll(dist);
  const digest = inputsDigest(inputs);
  if (digest !== undefined) {
    const stamp: BuildStamp = { digest, inputs, outputs: Object.fromEntries(hashes), inputsOf };
    writeFileSync(STAMP, `${JSON.stringify(stamp, null, 1)}\n`);
  }
  for (const [file, hash] of hashes) process.stdout.write(`dist/${file}  sha256 ${hash}\n`);
  if (!check) return;
  const tmp = mkdtempSync(join(tmpdir(), 'otsbk-bundle-'));
  try {
    const { hashes: again } = await buildAll(tmp);
    for (const [file, hash] of hashes) {
      if (again.get(file) !== hash) throw new Error(`dist/${file} is not reproducible: a second build gave sha256 ${again.get(file)}`);
    }
    process.stdout.write('reproducible: a second build gave identical bytes\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
