#!/usr/bin/env node
/**
 * Entry point of the sync runtime (`dist/otsbk-sync.js` once bundled): `otsbk-sync <command> [options]`.
 * See lib/runtime/cli/help.ts for the commands and lib/runtime/sync for what they do.
 */
import { main } from './cli/main';
import { tuneHeapFor } from './heap-growth';

export { main };

if (require.main === module) {
  tuneHeapFor(process.argv[2]);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // main() reports its own errors; this is a last resort that still prints no secret.
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'unexpected failure', fields: { error: String((err as Error)?.name ?? 'Error') } })}\n`);
      process.exitCode = 1;
    },
  );
}
