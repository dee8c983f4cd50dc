/** Help texts: one per command, printed on stdout with --help. */
import { CONFIG_HELP } from './options';

export const PROGRAM = 'otsbk-sync';

export const MAIN_HELP = `${PROGRAM}: export Tablestore Stream data of time windows into OSS, exactly once per window.

Usage: ${PROGRAM} <command> [options]

Commands:
  run       Sync one window [--start, --end), as the DataWorks node does
  backfill  Sync every window the schedule runs between two dates, resumably, with progress
  verify    Re-read the stream for a window and compare it with the window's manifest and objects
  list      List a window's objects and manifest
  windows   List the windows the schedule runs between two dates and check that they tile time
  coverage  Check that every window the schedule ran between two dates reached OSS (grid, --json, --html)
  snapshot  Export the whole table to OSS (baseline for restore), in parallel over key ranges, resumably
  restore   Rebuild the table as it was at the end of an exported window, into a new table
  verify-restore  Compare a restored table with the backup (snapshot + windows) or the live source

Run "${PROGRAM} <command> --help" for a command's options.

Output: results are JSON on stdout; logs are JSON lines on stderr ({"time","level","msg","fields"}).
Exit codes: 0 ok, 1 runtime failure, 2 usage or malformed input, 3 mismatch found (verify, windows, coverage,
            verify-restore), 4 window refused (empty, later than now minus the stream lag, or older than the
            stream retention; restore: no usable snapshot, or a window of the chain missing or uncommitted).
`;

const WINDOW_ARGS = `  --start <yyyyMMddHHmmss>     Window start (inclusive), in the configured time zone (DataWorks \${startTime})
  --end <yyyyMMddHHmmss>       Window end (exclusive) (DataWorks \${endTime})`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  run: `Usage: ${PROGRAM} run --start <yyyyMMddHHmmss> --end <yyyyMMddHHmmss> [configuration]

Reads the table's stream records written in [start, end) and writes them to
  <prefix>/<table>/<yyyy>/<MM>/<dd>/<start>_<end>/part-NNNNN.<ext>
followed by _manifest.json (the commit marker). A rerun writes the same keys and removes stale parts.
Prints the manifest and run statistics.

${WINDOW_ARGS}

${CONFIG_HELP}
`,
  backfill: `Usage: ${PROGRAM} backfill --from <date> --to <date> [--state <file>] [configuration]

Syncs, in order, the window of every run the schedule (--cron, --start-expr, --end-expr) has in [from, to).
Finished windows are recorded in the state file; a rerun skips those whose manifest still exists.
Shows a progress bar when stderr is a terminal, JSON log lines otherwise. Every window is checked first:
if any is refused (too recent, expired), nothing is synced.

  --from <yyyyMMdd[HHmmss]>    First run time considered (inclusive)
  --to <yyyyMMdd[HHmmss]>      Last run time considered (exclusive)
  --state <file>               Resumable record of finished windows (default otsbk-backfill-<table>.json)
  --dry-run                    Print the windows that would be synced and exit
  --continue-on-error          Go on with the next window after a failed one (default: stop at the first)

${CONFIG_HELP}
`,
  verify: `Usage: ${PROGRAM} verify --start <yyyyMMddHHmmss> --end <yyyyMMddHHmmss> [configuration]

Re-reads the stream for the window and compares it with the manifest: record counts by action, min and max
write time, columns, format. Checks every object the manifest lists (size, CRC-64) and that the window's
directory holds nothing else. Prints the list of mismatches; exit code 3 when there is any.

${WINDOW_ARGS}
  --deep                       Also download every object and compare its SHA-256 with the manifest

${CONFIG_HELP}
`,
  list: `Usage: ${PROGRAM} list --start <yyyyMMddHHmmss> --end <yyyyMMddHHmmss> [configuration]

Lists the objects under the window's directory and prints its manifest (or says the window is not committed).
Needs only the OSS part of the configuration and the table name.

${WINDOW_ARGS}

${CONFIG_HELP}
`,
  coverage: `Usage: ${PROGRAM} coverage --from <date> --to <date> [--env <name>] [--table <name>] [--json] [--html <file>] [configuration]

Lists the window of every run the schedule has in [from, to) (as "windows" does) and what OSS holds for it:
  #  committed  runtime engine: the window's _manifest.json exists;
                Data Integration engine: the window's object <prefix>/<table>/<start>_<end>.csv exists
  p  partial    objects in the window's directory but no manifest (runtime engine: an unfinished run)
  .  missing    nothing for the window
  !  overlap    the window's objects cover time another window found in OSS covers too
One row per day, one cell per hour of the window start, per table; then every window that needs attention.
Exit code 3 when any window is missing or partial, or windows overlap. Reads OSS only (list, no download).

  --from <yyyyMMdd[HHmmss]>    First run time considered (inclusive)
  --to <yyyyMMdd[HHmmss]>      Last run time considered (exclusive)
  --env <name>                 Every table the environment exports, with its engine (or only --table <name>)
  --engine <runtime|data-integration>  Key layout to expect (default: the environment's, else runtime)
  --json                       Print the report as JSON instead of the grid
  --html <file>                Also write an HTML page with an SVG grid per table (for long ranges)

${CONFIG_HELP}
`,
  windows: `Usage: ${PROGRAM} windows --from <date> --to <date> [--cron ...] [--start-expr ...] [--end-expr ...] [--timezone ...]

Lists the window of every run the schedule has in [from, to) and checks that consecutive windows tile time:
each starts exactly where the previous one ends. Prints every gap and overlap; exit code 3 when there is any.
Needs no Tablestore or OSS configuration.

  --from <yyyyMMdd[HHmmss]>    First run time considered (inclusive)
  --to <yyyyMMdd[HHmmss]>      Last run time considered (exclusive)

${CONFIG_HELP}
`,
  snapshot: `Usage: ${PROGRAM} snapshot [--concurrency <n>] [--split-size <n>] [--fresh] [configuration]

Exports every row of the (wide-column) table to
  <prefix>/<table>/_snapshots/<startTime>/part-NNNNN.jsonl.gz   one file per key range (ComputeSplitPointsBySize)
followed by _manifest.json (scan start and finish, table schema, row counts, checksums, format). Reads the key
ranges in parallel with GetRange; memory stays at one page per range. An interrupted snapshot is resumed by the
next run (only ranges without their part-NNNNN.json marker are read again). Prints the manifest.

  --concurrency <n>            Key ranges read at once (default 2)
  --split-size <n>             Key range size in units of 100 MB (default 1)
  --fresh                      Start a new snapshot instead of resuming an unfinished one

${CONFIG_HELP}
`,
  restore: `Usage: ${PROGRAM} restore --to <yyyyMMddHHmmss> --target <table> [--state <file>] [--allow-gaps] [configuration]

Rebuilds the configured table as it was at --to (the end of an exported window) into --target: takes the newest
committed snapshot that finished at or before --to, creates --target with the source's schema, loads the snapshot,
then replays every committed window from the one holding the snapshot's start up to the one ending at --to, in
order (BatchWriteRow puts, updates and deletes). Reads runtime windows (CSV, JSON Lines, Parquet) and Data
Integration CSV windows (<prefix>/<table>/<start>_<end>.csv, columns from --columns or --env). Refuses (exit 4),
naming it, a window of the chain that is missing or not committed.

  --to <yyyyMMddHHmmss>        End of the last window to replay, in the configured time zone
  --target <table>             Table to restore into; created unless --existing-target
  --existing-target            Restore into an existing, empty table
  --overwrite-source           Allow --target to name the source table (it must be empty)
  --allow-gaps                 Skip missing or uncommitted windows (reported; the result is then not exact)
  --state <file>               Resumable record of what was applied (default otsbk-restore-<target>.json);
                               run the same command again after a crash to resume
  --concurrency <n>            BatchWriteRow requests in flight (default 4)

${CONFIG_HELP}
`,
  'verify-restore': `Usage: ${PROGRAM} verify-restore --to <yyyyMMddHHmmss> --target <table> [--against backup|source] [configuration]

Compares --target with what it should hold at --to, key range by key range (row counts, SHA-256 of the rows),
and lists the differing keys. Exit 3 on a mismatch.

  --against backup             The snapshot plus the windows up to --to, replayed in memory (default)
  --against source             The source table as it is now: right while nothing has written to it since --to
  --allow-gaps                 As for restore

${CONFIG_HELP}
`,
};
