/** Entry point of the bundled operations command (dist/ops-command.js, which dist/ops.js starts: start.ts); see run.ts. */
import { runOps } from './run';

// Failure unless the command completes: a call that never settles must not look like success when the process
// runs out of work and exits.
process.exitCode = 1;
runOps(process.argv.slice(2), { env: process.env }).then(
  code => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`[otsbk-ops] unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
