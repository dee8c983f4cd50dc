/**
 * Error families of the sync runtime, each mapped to one CLI exit code so that a scheduler (DataWorks) and a
 * person at a terminal can tell "fix your input" from "the window may not be synced yet" from "try again".
 */

/** Process exit codes of the `otsbk-sync` command. */
export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** A runtime failure: network, service error, unexpected data. Rerunning may help. */
  FAILURE: 1,
  /** Bad command line or configuration, or a malformed window time. Rerunning the same command cannot help. */
  USAGE: 2,
  /** `verify` found the exported objects disagree with the stream or the manifest. */
  VERIFY_MISMATCH: 3,
  /** The window is well-formed but may not be synced now (too recent, expired, or empty). */
  REFUSED_WINDOW: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every error the runtime raises on purpose, with the exit code it maps to. */
export class SyncError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line or the runtime configuration is wrong (unknown option, missing field, bad value). */
export class UsageError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.USAGE, options);
  }
}

/** A window time is not a valid `yyyyMMddHHmmss` instant in the configured time zone. */
export class MalformedWindowError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.USAGE, options);
  }
}

/** The window is well-formed but refused: end not after start, too close to now, or older than the retention. */
export class RefusedWindowError extends SyncError {
  constructor(
    message: string,
    /** Every rule the window breaks. */
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, ExitCode.REFUSED_WINDOW, options);
  }
}

/** The run could not complete (stream or OSS failure after retries, inconsistent data). */
export class SyncFailedError extends SyncError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.FAILURE, options);
  }
}

/** Exit code for any thrown value: SyncError carries its own, everything else is a runtime failure. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof SyncError ? err.exitCode : ExitCode.FAILURE;
}
