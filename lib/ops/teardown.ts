/**
 * The teardown guard: deleting a sync node, a time series table or disabling a table's Stream destroys data or
 * history, so an environment whose configuration says `allowTeardown: false` (prod) refuses unless the person
 * running the destroy names the environment in OTSBK_ALLOW_TEARDOWN (comma-separated list).
 */
import { OperationSettings } from './specs';

export const ALLOW_TEARDOWN_VARIABLE = 'OTSBK_ALLOW_TEARDOWN';

export class TeardownRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeardownRefusedError';
  }
}

/** Returns why the deletion is allowed (for the log), or throws TeardownRefusedError. */
export function assertTeardownAllowed(settings: OperationSettings, what: string, env: NodeJS.ProcessEnv): string {
  if (settings.allowTeardown) return `environment "${settings.environment}" allows teardown`;
  const named = (env[ALLOW_TEARDOWN_VARIABLE] ?? '').split(',').map(s => s.trim()).filter(Boolean);
  if (named.includes(settings.environment)) return `${ALLOW_TEARDOWN_VARIABLE} names environment "${settings.environment}"`;
  throw new TeardownRefusedError(
    `refusing to delete ${what}: environment "${settings.environment}" does not allow teardown (allowTeardown is false). `
    + `Nothing was changed. To delete it anyway, run the destroy again with ${ALLOW_TEARDOWN_VARIABLE}=${settings.environment}.`,
  );
}
