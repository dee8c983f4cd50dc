/**
 * What every runtime command runs with: the table's runtime configuration, where credentials come from, logging,
 * a clock, a stop signal and the client knobs. The sync commands (run-window.ts) and the snapshot and restore
 * commands (restore/commands.ts) extend it.
 */
import type { Logger } from '../../common/log';
import type { ClientTuning } from './clients';
import type { SyncRuntimeConfig } from './config';
import type { CredentialProvider } from '../../common/credentials';

export interface RuntimeContext<Tuning extends ClientTuning = ClientTuning> {
  readonly config: SyncRuntimeConfig;
  /** Default: the Alibaba Cloud credential chain. */
  readonly credentials?: CredentialProvider;
  readonly logger?: Logger;
  /** Current time, epoch ms (window admission, snapshot times). Default Date.now. */
  readonly now?: () => number;
  /**
   * Stops the command as a crash would: a sync writes no new manifest (the committed one stays), a snapshot or
   * restore keeps its resumable record; a later run cleans up or resumes.
   */
  readonly signal?: AbortSignal;
  /** Knobs for tests and the benchmark; production runs use the defaults. */
  readonly tuning?: Tuning;
}
