/**
 * The `otsbk-sync` command: parses arguments with node:util parseArgs and calls the sync library. Results on
 * stdout, JSON log lines on stderr, exit codes from errors.ts. Nothing here decides anything the library does not.
 */
import { resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { writeFileSync } from 'node:fs';
import { backfill } from '../sync/backfill';
import { createOssClientFor } from '../sync/clients';
import { COVERAGE_ENGINES, CoverageEngine, coverageReport, renderCoverage, renderCoverageHtml, tableCoverage } from '../sync/coverage';
import { resolveScheduleConfig } from '../sync/config';
import { ExitCode, exitCodeOf, UsageError } from '../sync/errors';
import { listWindow } from '../sync/list';
import { isLogLevel, LineLogger, LogLevel } from '../../common/log';
import { planSyncWindows } from '../sync/plan';
import { BarProgressReporter, LogProgressReporter } from '../sync/progress';
import { defaultCredentialProvider } from '../../common/credentials';
import { errorFields, redactText } from '../../common/redact';
import { runWindow } from '../sync/run-window';
import { verifyWindow } from '../sync/verify';
import { restoreFromBackup, RestoreProgressBar, RestoreProgressLog, snapshotTable, verifyRestoredTable } from '../restore';
import { COMMAND_HELP, MAIN_HELP, PROGRAM } from './help';
import { CliIo, printResult, processIo } from './io';
import { COMMON_OPTIONS, CONFIG_OPTIONS, configFromArgs, configInput, coverageTargets, ParsedValues } from './options';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

const WINDOW_OPTIONS: OptionSpecs = { start: { type: 'string' }, end: { type: 'string' } };
const RANGE_OPTIONS: OptionSpecs = { from: { type: 'string' }, to: { type: 'string' } };

const COMMAND_OPTIONS: Readonly<Record<string, OptionSpecs>> = {
  run: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...WINDOW_OPTIONS },
  verify: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...WINDOW_OPTIONS, deep: { type: 'boolean' } },
  list: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...WINDOW_OPTIONS },
  backfill: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...RANGE_OPTIONS, state: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'continue-on-error': { type: 'boolean' } },
  windows: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...RANGE_OPTIONS },
  coverage: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, ...RANGE_OPTIONS, engine: { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' } },
  snapshot: { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, concurrency: { type: 'string' }, 'split-size': { type: 'string' }, fresh: { type: 'boolean' } },
  restore: {
    ...COMMON_OPTIONS, ...CONFIG_OPTIONS, to: { type: 'string' }, target: { type: 'string' }, state: { type: 'string' }, 'allow-gaps': { type: 'boolean' },
    'existing-target': { type: 'boolean' }, 'overwrite-source': { type: 'boolean' }, concurrency: { type: 'string' },
  },
  'verify-restore': { ...COMMON_OPTIONS, ...CONFIG_OPTIONS, to: { type: 'string' }, target: { type: 'string' }, against: { type: 'string' }, 'allow-gaps': { type: 'boolean' } },
};

function positiveIntFlag(values: ParsedValues, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < 1) throw new UsageError(`--${name} ${JSON.stringify(v)} must be a positive integer`);
  return n;
}

function required(values: ParsedValues, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${command}: --${name} is required (see ${PROGRAM} ${command} --help)`);
  return v;
}

function parseCommandArgs(command: string, args: readonly string[]): ParsedValues {
  try {
    const { values } = parseArgs({ args: [...args], options: COMMAND_OPTIONS[command], strict: true, allowPositionals: false });
    return values as ParsedValues;
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message} (see ${PROGRAM} ${command} --help)`);
  }
}

function loggerFor(io: CliIo, values: ParsedValues, command: string): LineLogger {
  const level = values['log-level'];
  if (level !== undefined && (typeof level !== 'string' || !isLogLevel(level))) throw new UsageError(`--log-level ${JSON.stringify(level)} must be debug, info, warn or error`);
  return new LineLogger({ sink: io.stderr, level: (level as LogLevel | undefined) ?? 'info', base: { command } });
}

/** Runs the command line `args` (without node and script); resolves with the exit code. Never throws. */
export async function main(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(MAIN_HELP);
    return command === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  let log = new LineLogger({ sink: io.stderr, base: { command } });
  try {
    if (!Object.prototype.hasOwnProperty.call(COMMAND_OPTIONS, command)) {
      throw new UsageError(`unknown command ${JSON.stringify(command)}; expected one of ${Object.keys(COMMAND_OPTIONS).join(', ')} (see ${PROGRAM} --help)`);
    }
    const values = parseCommandArgs(command, rest);
    if (values.help === true) {
      io.stdout.write(COMMAND_HELP[command]);
      return ExitCode.OK;
    }
    log = loggerFor(io, values, command);
    return await dispatch(command, values, io, log);
  } catch (err) {
    const code = exitCodeOf(err);
    const e = err instanceof Error ? err : new Error(String(err));
    log.error(redactText(e.message), { error: errorFields(e), exitCode: code });
    // A person at a terminal also gets the plain sentence, without JSON around it.
    if (io.stderr.isTTY) io.stderr.write(`${PROGRAM}: ${redactText(e.message)}\n`);
    return code;
  }
}

async function dispatch(command: string, values: ParsedValues, io: CliIo, log: LineLogger): Promise<number> {
  switch (command) {
    case 'windows': {
      const { schedule, timezone } = resolveScheduleConfig(configInput(values, io.env, true));
      const plan = planSyncWindows(schedule, timezone, required(values, 'from', command), required(values, 'to', command));
      printResult(io, plan);
      if (!plan.tiles) {
        log.error('windows do not tile', { faults: plan.faults.length, first: plan.faults[0]?.message });
        return ExitCode.VERIFY_MISMATCH;
      }
      log.info('windows tile', { windows: plan.windows.length, covers: plan.covers });
      return ExitCode.OK;
    }
    case 'coverage': {
      const engineFlag = values.engine;
      if (engineFlag !== undefined && !COVERAGE_ENGINES.includes(engineFlag as CoverageEngine)) {
        throw new UsageError(`--engine ${JSON.stringify(engineFlag)} must be ${COVERAGE_ENGINES.join(' or ')}`);
      }
      const from = required(values, 'from', command);
      const to = required(values, 'to', command);
      const credentials = defaultCredentialProvider(io.env);
      const tables = [];
      for (const { config, engine, keyName } of coverageTargets(values, io.env, engineFlag as CoverageEngine | undefined)) {
        const oss = await createOssClientFor(config.oss, credentials);
        tables.push(await tableCoverage({
          table: keyName, engine, bucket: config.oss.bucket, prefix: config.oss.prefix, schedule: config.schedule, timezone: config.timezone, oss,
        }, from, to));
      }
      const report = coverageReport(tables);
      if (typeof values.html === 'string') writeFileSync(resolve(io.cwd, values.html), renderCoverageHtml(report));
      if (values.json === true) printResult(io, report);
      else io.stdout.write(renderCoverage(report));
      log.info(report.complete ? 'coverage complete' : 'coverage incomplete', { tables: tables.map(t => ({ table: t.table, ...t.counts, overlaps: t.overlaps.length })) });
      return report.complete ? ExitCode.OK : ExitCode.VERIFY_MISMATCH;
    }
    case 'run': {
      const config = configFromArgs(values, io.env);
      const result = await runWindow({
        config, startTime: required(values, 'start', command), endTime: required(values, 'end', command), logger: log, now: io.now, credentials: defaultCredentialProvider(io.env),
      });
      printResult(io, result);
      return ExitCode.OK;
    }
    case 'verify': {
      const config = configFromArgs(values, io.env);
      const result = await verifyWindow({
        config, startTime: required(values, 'start', command), endTime: required(values, 'end', command), logger: log, now: io.now, credentials: defaultCredentialProvider(io.env),
        deep: values.deep === true,
      });
      printResult(io, result);
      return result.ok ? ExitCode.OK : ExitCode.VERIFY_MISMATCH;
    }
    case 'list': {
      const config = configFromArgs(values, io.env);
      const result = await listWindow({
        config, startTime: required(values, 'start', command), endTime: required(values, 'end', command), logger: log, credentials: defaultCredentialProvider(io.env),
      });
      printResult(io, result);
      return ExitCode.OK;
    }
    case 'backfill': {
      const config = configFromArgs(values, io.env);
      const statePath = typeof values.state === 'string' ? values.state : `otsbk-backfill-${config.tablestore.tableName}.json`;
      const progress = io.stderr.isTTY ? new BarProgressReporter(io.stderr) : new LogProgressReporter(log);
      const result = await backfill({
        config,
        from: required(values, 'from', command),
        to: required(values, 'to', command),
        statePath: resolve(io.cwd, statePath),
        dryRun: values['dry-run'] === true,
        continueOnError: values['continue-on-error'] === true,
        progress,
        logger: log,
        now: io.now,
        credentials: defaultCredentialProvider(io.env),
      });
      printResult(io, result);
      return result.failed.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
    }
    case 'snapshot': {
      const config = configFromArgs(values, io.env);
      const progress = io.stderr.isTTY ? new RestoreProgressBar(io.stderr) : new RestoreProgressLog(log);
      const result = await snapshotTable({
        config, logger: log, now: io.now, credentials: defaultCredentialProvider(io.env), progress,
        concurrency: positiveIntFlag(values, 'concurrency'), splitSizeUnits: positiveIntFlag(values, 'split-size'), fresh: values.fresh === true,
      });
      progress.end();
      printResult(io, result);
      return ExitCode.OK;
    }
    case 'restore': {
      const config = configFromArgs(values, io.env);
      const target = required(values, 'target', command);
      const statePath = typeof values.state === 'string' ? values.state : `otsbk-restore-${target}.json`;
      const progress = io.stderr.isTTY ? new RestoreProgressBar(io.stderr) : new RestoreProgressLog(log);
      const result = await restoreFromBackup({
        config, logger: log, now: io.now, credentials: defaultCredentialProvider(io.env), progress,
        to: required(values, 'to', command), target, statePath: resolve(io.cwd, statePath),
        allowGaps: values['allow-gaps'] === true, existingTarget: values['existing-target'] === true, overwriteSource: values['overwrite-source'] === true,
        writeConcurrency: positiveIntFlag(values, 'concurrency'),
      });
      progress.end();
      printResult(io, result);
      return ExitCode.OK;
    }
    case 'verify-restore': {
      const config = configFromArgs(values, io.env);
      const against = values.against ?? 'backup';
      if (against !== 'backup' && against !== 'source') throw new UsageError(`--against ${JSON.stringify(against)} must be backup or source`);
      const result = await verifyRestoredTable({
        config, logger: log, now: io.now, credentials: defaultCredentialProvider(io.env),
        to: required(values, 'to', command), target: required(values, 'target', command), against, allowGaps: values['allow-gaps'] === true,
      });
      printResult(io, result);
      return result.ok ? ExitCode.OK : ExitCode.VERIFY_MISMATCH;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}
