/**
 * Runs a CommonJS bundle through V8's code cache, so that a command started many times (the operations command, once
 * per Terraform provisioner) does not compile the same functions on every start.
 *
 * The cache of a bundle lives in `.code-cache/` beside it, one file per bundle and profile, named after a digest of
 * the bundle's bytes, the Node.js version and the architecture: it is never one of the build's outputs (V8's bytes are
 * not deterministic, the bundles' are) and it is as trusted as the bundle next to it. A run that finds no usable
 * cache compiles as usual and, when the process exits, writes what V8 compiled by then (the functions the run called,
 * not only the top level) through a temporary file and a rename, so that concurrent starts never see half a file.
 * A missing, rejected (other V8 flags) or corrupt cache (V8's release builds do not check their own checksum: a
 * flipped byte can crash the process, so the file carries a sha256 of its data) means a normal compile and a new
 * file; a directory that cannot be written only means no cache.
 *
 * A relative `require('./<file>.js')` from a bundle loads the bundle beside it (tools/bundle.ts `beside`) the same way.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants, Script } from 'node:vm';

export const CODE_CACHE_DIR = '.code-cache';

const MAGIC = Buffer.from('otsbk-v8-cache-1');
const DIGEST_BYTES = 32;
const BESIDE = /^\.\/[^/\\]+\.js$/;

export interface CodeCacheOptions {
  /**
   * Which kind of run the cache is for: a cache holds the functions the run that wrote it compiled, so runs that take
   * different paths through the bundle keep one each. Lowercase letters, digits and dashes; anything else is `other`.
   * @default 'default'
   */
  readonly profile?: string;
  /** Receives one line per bundle: whether its cache was used, and whether and why a new one was (not) written. @default - nothing */
  readonly debug?: (line: string) => void;
}

/** The V8 data of a cache file, or undefined when the file is not one or its digest does not match its data. */
export function cacheData(file: Buffer): Buffer | undefined {
  if (file.length <= MAGIC.length + DIGEST_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const digest = file.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES);
  const data = file.subarray(MAGIC.length + DIGEST_BYTES);
  return createHash('sha256').update(data).digest().equals(digest) ? data : undefined;
}

/** Runs the bundle `file` (an absolute path) as Node.js would run it as a script; returns its `module.exports`. */
export function runWithCodeCache(file: string, options: CodeCacheOptions = {}): unknown {
  const profile = /^[a-z0-9][a-z0-9-]{0,39}$/.test(options.profile ?? 'default') ? options.profile ?? 'default' : 'other';
  const debug = options.debug ?? (() => undefined);
  const loaded = new Map<string, { exports: unknown }>();
  const pending: { script: Script; cacheFile: string; name: string }[] = [];

  const load = (bundle: string): unknown => {
    const known = loaded.get(bundle);
    if (known) return known.exports;
    const bytes = readFileSync(bundle);
    const name = `${basename(bundle)} (${profile})`;
    const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 32);
    const cacheFile = join(dirname(bundle), CODE_CACHE_DIR, `${basename(bundle)}.${profile}.${key}.bin`);
    let cachedData: Buffer | undefined;
    let state = 'miss';
    try {
      cachedData = cacheData(readFileSync(cacheFile));
      if (!cachedData) state = 'corrupt';
    } catch {
      // no cache yet
    }
    const script = new Script(wrap(bytes.toString('utf8')), { filename: bundle, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData) state = script.cachedDataRejected === false ? 'hit' : 'rejected';
    debug(`${name}: ${state}`);
    if (state !== 'hit' && pending.push({ script, cacheFile, name }) === 1) process.once('exit', () => pending.forEach(writeCache));

    const module = { exports: {} as unknown, id: bundle, filename: bundle, loaded: false };
    loaded.set(bundle, module);
    const fallback = createRequire(bundle);
    const require = Object.assign((id: string) => (BESIDE.test(id) ? load(join(dirname(bundle), id)) : fallback(id)), fallback);
    (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, require, module, bundle, dirname(bundle));
    module.loaded = true;
    return module.exports;
  };

  const writeCache = ({ script, cacheFile, name }: { script: Script; cacheFile: string; name: string }): void => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      const data = script.createCachedData();
      mkdirSync(dirname(cacheFile), { recursive: true });
      writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha256').update(data).digest(), data]));
      renameSync(tmp, cacheFile);
      // Caches of earlier builds of the same bundle and profile are of no more use.
      const stale = `${basename(cacheFile).split('.').slice(0, -2).join('.')}.`;
      for (const other of readdirSync(dirname(cacheFile))) {
        if (other.startsWith(stale) && other.endsWith('.bin') && other !== basename(cacheFile)) rmSync(join(dirname(cacheFile), other), { force: true });
      }
      debug(`${name}: wrote ${data.length} bytes`);
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was created
      }
      debug(`${name}: not written: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return load(file);
}
