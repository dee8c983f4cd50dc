/**
 * Generates `.gen/providers/alicloud/**` (plus the `versions.json` and `constraints.json` that
 * `cdktf get` writes next to it) from the committed schema snapshot, offline, with the same
 * @cdktf/provider-generator code path `cdktf get` uses: only the schema source differs.
 *
 *   ts-node tools/bindings/generate.ts           regenerate .gen in place
 *   ts-node tools/bindings/generate.ts --check   regenerate into a temp dir; exit 1 naming every
 *                                              file that differs from the committed .gen
 *
 * Both first check that the provider rules file (alicloud-provider-rules.json) belongs with the snapshot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Language } from '@cdktf/commons';
import { ConstructsMaker, TerraformProviderConstraint } from '@cdktf/provider-generator';
import { ALICLOUD_PROVIDER, ALICLOUD_PROVIDER_CONSTRAINT } from '../../lib/bindings/alicloud-provider';
import { ALICLOUD_RULES_PATH, loadAlicloudRules, rulesDocumentProblems } from '../../lib/bindings/provider-rules';
import { ProvidersSchemaDocument, stableJson } from '../../lib/bindings/terraform-schema';
import { ALICLOUD_SCHEMA_SNAPSHOT_PATH } from '../../lib/bindings/conformance';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SNAPSHOT_PATH = ALICLOUD_SCHEMA_SNAPSHOT_PATH;
export const GEN_DIR = path.join(REPO_ROOT, '.gen');

/** What `cdktf get` owns inside its output directory for this project. */
const GENERATED_ENTRIES = [path.join('providers', ALICLOUD_PROVIDER.name), 'versions.json', 'constraints.json'];

type ReadSchemas = ConstructsMaker['getSchemas'];

/** A ConstructsMaker whose schema comes from the snapshot instead of `terraform providers schema -json`. */
class SnapshotConstructsMaker extends ConstructsMaker {
  constructor(outdir: string, private readonly snapshot: ProvidersSchemaDocument) {
    super({ targetLanguage: Language.TYPESCRIPT, codeMakerOutput: outdir });
  }

  override async getSchemas(): ReturnType<ReadSchemas> {
    // `cdktf get` adds the resolved provider versions (from `terraform version -json`) to the schema.
    const providerSchema = {
      ...structuredClone(this.snapshot),
      provider_versions: { [ALICLOUD_PROVIDER.fqpn]: ALICLOUD_PROVIDER.version },
    };
    return { providerSchema, moduleSchema: {} } as unknown as Awaited<ReturnType<ReadSchemas>>;
  }
}

export function readSnapshot(file = SNAPSHOT_PATH): ProvidersSchemaDocument {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as ProvidersSchemaDocument;
  if (!doc.provider_schemas?.[ALICLOUD_PROVIDER.fqpn]) {
    throw new Error(`${file}: no provider_schemas["${ALICLOUD_PROVIDER.fqpn}"]`);
  }
  return doc;
}

/** Fails when cdktf.json pins a different alicloud version than the snapshot describes. */
export function assertCdktfJsonPin(root = REPO_ROOT): void {
  const file = path.join(root, 'cdktf.json');
  if (!fs.existsSync(file)) return;
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { terraformProviders?: unknown[] };
  const entries = (config.terraformProviders ?? []).filter(
    (p): p is string => typeof p === 'string' && p.replace(/@.*$/, '').trim() === ALICLOUD_PROVIDER.source,
  );
  if (entries.length !== 1 || entries[0].replace(/\s+/g, '') !== ALICLOUD_PROVIDER_CONSTRAINT.replace(/\s+/g, '')) {
    throw new Error(
      `cdktf.json terraformProviders must contain exactly "${ALICLOUD_PROVIDER_CONSTRAINT}" to match the schema snapshot; found ${JSON.stringify(entries)}`,
    );
  }
}

/** Writes the bindings for the snapshot into `outdir` (which must be empty or absent). */
export async function generateBindings(outdir: string, snapshot = readSnapshot()): Promise<void> {
  const maker = new SnapshotConstructsMaker(outdir, snapshot);
  const constraint = new TerraformProviderConstraint(ALICLOUD_PROVIDER_CONSTRAINT);
  await maker.generate([constraint]);
}

/** Relative paths of all files under `dir`, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Files that are missing, extra or different in `actual` compared to `expected`, limited to generated entries. */
export function diffGenerated(expected: string, actual: string): string[] {
  const scoped = (dir: string): string[] =>
    listFiles(dir).filter((f) => GENERATED_ENTRIES.some((e) => f === e || f.startsWith(e + path.sep)));
  const want = new Set(scoped(expected));
  const have = new Set(scoped(actual));
  const differing: string[] = [];
  for (const f of [...new Set([...want, ...have])].sort()) {
    if (!want.has(f)) differing.push(`${f} (not generated from the snapshot)`);
    else if (!have.has(f)) differing.push(`${f} (missing)`);
    else if (!fs.readFileSync(path.join(expected, f)).equals(fs.readFileSync(path.join(actual, f)))) differing.push(`${f} (differs)`);
  }
  return differing;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alicloud-bindings-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails when the rules file is not the one extracted with the snapshot (see provider-rules.ts). */
export function assertRulesMatchSnapshot(snapshot = readSnapshot(), rulesFile = ALICLOUD_RULES_PATH): void {
  const rules = loadAlicloudRules(rulesFile);
  const problems = rulesDocumentProblems(rules, snapshot.provider_schemas[ALICLOUD_PROVIDER.fqpn], ALICLOUD_PROVIDER);
  if (fs.readFileSync(rulesFile, 'utf8') !== stableJson(rules)) problems.push('is not in the extractor\'s stable JSON form');
  if (problems.length > 0) {
    throw new Error(`${path.relative(REPO_ROOT, rulesFile)} does not match the schema snapshot (re-extract both, see lib/bindings/README.md):\n  ${problems.join('\n  ')}`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  assertCdktfJsonPin();
  assertRulesMatchSnapshot();
  const check = argv.includes('--check');
  return withTempDir(async (tmp) => {
    await generateBindings(tmp);
    if (check) {
      const differing = diffGenerated(tmp, GEN_DIR);
      if (differing.length > 0) {
        process.stderr.write(
          `.gen is out of date with lib/bindings/alicloud-provider-schema.json (run npm run bindings:generate):\n  ${differing.join('\n  ')}\n`,
        );
        return 1;
      }
      process.stdout.write(`.gen/providers/${ALICLOUD_PROVIDER.name} matches the schema snapshot\n`);
      return 0;
    }
    for (const entry of GENERATED_ENTRIES) {
      fs.rmSync(path.join(GEN_DIR, entry), { recursive: true, force: true });
      fs.mkdirSync(path.dirname(path.join(GEN_DIR, entry)), { recursive: true });
      fs.cpSync(path.join(tmp, entry), path.join(GEN_DIR, entry), { recursive: true });
    }
    process.stdout.write(`wrote ${listFiles(GEN_DIR).length} files under ${path.relative(REPO_ROOT, GEN_DIR)}\n`);
    return 0;
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
