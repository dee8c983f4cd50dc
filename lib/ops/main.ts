/** Entry point of the bundled operations command (dist/ops.js); see run.ts. */
import { runOps } from './run';

runOps(process.argv.slice(2), { env: process.env }).then(
  code => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`[otsbk-ops] unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
