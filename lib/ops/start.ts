/**
 * `dist/ops.js`: starts the bundled operations command (`dist/ops-command.js`, entry main.ts) through V8's code cache
 * (lib/common/code-cache.ts). Terraform starts the command once per provisioner, and a start that finds the functions
 * of its kind of object compiled spends less CPU. `OTSBK_CODE_CACHE_DEBUG=1` says on stderr what the cache did.
 */
import { join } from 'node:path';
import { runWithCodeCache } from '../common/code-cache';
import { createLogger } from './log';

/** The command's bundle, beside this one. */
export const OPS_COMMAND_BUNDLE = 'ops-command.js';

if (require.main === module) {
  // Each kind of object runs its own part of the command (the DataWorks client for a node, the Tablestore protocol
  // for the others), so each keeps a cache of its own; `check` and `repair` keep theirs.
  const [verb, kind] = process.argv.slice(2);
  const log = process.env.OTSBK_CODE_CACHE_DEBUG === '1' ? createLogger('[otsbk-ops code cache]') : undefined;
  runWithCodeCache(join(__dirname, OPS_COMMAND_BUNDLE), { profile: verb === 'apply' || verb === 'destroy' ? kind : verb, debug: log && (line => log.info(line)) });
}
