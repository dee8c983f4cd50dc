/**
 * The Shell node script of the `runtime` engine: instead of a Data Integration job, the scheduled node fetches this
 * project's bundled sync runtime from OSS and runs it for the node's window.
 *
 * DataWorks passes a Shell node's scheduling parameters positionally (DIDE_SHELL.md: "Scheduling parameters only
 * support positional parameter format ($1, $2, ...)"), in the order the node declares them: `$1` is the window
 * start and `$2` the window end, both yyyymmddhh24miss, exactly what the DI job receives as ${startTime}/${endTime}.
 * `ossutil` is pre-installed on DataWorks resource groups and authenticates with the RAM role associated with the
 * node's resource group.
 */

export interface RuntimeBundleLocation {
  readonly bucket: string;
  readonly key: string;
  /** OSS endpoint the resource group reaches, e.g. `oss-cn-hangzhou-internal.aliyuncs.com`. */
  readonly endpoint: string;
}

export interface RuntimeScriptProps {
  readonly bundle: RuntimeBundleLocation;
  /** Arguments after `run --start <start> --end <end>`, e.g. `['--config', '<base64 config>']`. */
  readonly arguments: readonly string[];
}

/** POSIX single-quoting: the value reaches the program byte for byte, whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function buildRuntimeShellScript(props: RuntimeScriptProps): string {
  const source = `oss://${props.bundle.bucket}/${props.bundle.key}`;
  const run = ['node', '"$work/sync-runtime.js"', 'run', '--start', '"$1"', '--end', '"$2"', ...props.arguments.map(shellQuote)];
  return [
    '#!/bin/bash',
    '# Managed by tablestore-oss-backup (lib/dataworks/runtime-script.ts); edits in the console are overwritten on deploy.',
    '# $1 = window start, $2 = window end (yyyymmddhh24miss), from the node\'s startTime/endTime parameters.',
    'set -euo pipefail',
    'if [ "$#" -lt 2 ]; then echo "expected the window start and end as the first two scheduling parameters" >&2; exit 2; fi',
    'command -v node >/dev/null || { echo "node is not installed on this resource group; the runtime engine needs Node.js 20" >&2; exit 2; }',
    'work="$(mktemp -d)"',
    'trap \'rm -rf "$work"\' EXIT',
    ['ossutil', 'cp', shellQuote(source), '"$work/sync-runtime.js"', '-e', shellQuote(props.bundle.endpoint)].join(' '),
    run.join(' '),
    '',
  ].join('\n');
}
