/**
 * `npm run demo`: the whole job on this machine, no cloud account.
 *
 *   1. starts the Tablestore and OSS sandboxes on 127.0.0.1 (both check request signatures);
 *   2. creates the dev environment's first table (as the build wrote it into dist/otsbk-environments.json, the
 *      file `--env dev` reads) with a Stream through the official `tablestore` client;
 *   3. writes PUT / UPDATE / DELETE rows with that client at controlled instants around the window the hourly
 *      node ran for most recently (one just before the start, one exactly at the start, one at end − 1 µs, one
 *      exactly at the end);
 *   4. runs `otsbk-sync run --start <startTime> --end <endTime> --config <base64>` through the CLI library, with
 *      the sandbox's test key in ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, exactly as the DataWorks node would;
 *   5. prints the objects, the manifest and the decoded lines, reruns the window (same bytes), then runs `verify`
 *      and `list`;
 *   6. restore: a baseline `snapshot` taken in the middle of the writes (step 2), the next window exported, then
 *      `restore --to <end of that window>` into a new table and `verify-restore` against the backup and the source.
 *
 * The clocks are controlled: writes get the instants step 2 names, and the runtime's "now" is set where each
 * command would run in production (the snapshot during the window, the exports after their window closed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formatWindowTime, runTimesBetween, windowForRun } from '../../schedule';
import { main as cli } from '../cli/main';
import type { CliIo } from '../cli/io';
import {
  catalogConfigInput, catalogEnvironment, catalogTable, encodeConfigArgument, environmentCatalogPath, readEnvironmentCatalog, resolveConfig,
  SyncRuntimeConfigInput,
} from '../sync';
import { createStreamTable, ignoreCondition, long, startLocalSandboxes } from './local-sandboxes';

const stateDir = mkdtempSync(join(tmpdir(), 'otsbk-demo-'));

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function heading(text: string): void {
  out();
  out(`── ${text} ${'─'.repeat(Math.max(0, 100 - text.length))}`);
}

/** Runs one CLI command; its JSON log lines are shown indented, its result is returned parsed. */
async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, now: () => number = Date.now): Promise<{ code: number; result: any }> {
  let stdout = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => process.stdout.write(s.split('\n').filter(Boolean).map((l) => `   log │ ${l}\n`).join('')), isTTY: false },
    env,
    cwd: stateDir,
    now,
  };
  out(`$ otsbk-sync ${args.map((a) => (a.length > 40 ? `${a.slice(0, 16)}…(${a.length} chars)` : a)).join(' ')}`);
  const code = await cli(args, io);
  out(`   exit code ${code}`);
  return { code, result: stdout ? JSON.parse(stdout) : undefined };
}

async function demo(): Promise<number> {
  const started = Date.now();
  const catalogPath = environmentCatalogPath(undefined, process.env);
  const dev = catalogEnvironment(readEnvironmentCatalog(catalogPath), 'dev', catalogPath);
  // The demo exports the first table of dev, as its scheduled node does.
  const devTable = catalogTable(dev, undefined, false);
  const devConfig = resolveConfig(catalogConfigInput(dev, devTable));
  const { timezone: tz, schedule } = devConfig;

  // The window of the node's most recent hourly run, as DataWorks would pass it.
  const now = Date.now();
  const runs = runTimesBetween(schedule.cron, now - 2 * 3_600_000, now + 1, tz);
  const runTime = runs[runs.length - 1];
  const window = windowForRun(runTime, schedule.startTimeExpression, schedule.endTimeExpression, tz);
  const startTime = formatWindowTime(window.start, tz);
  const endTime = formatWindowTime(window.end, tz);
  const S = window.start * 1000;
  const E = window.end * 1000;

  heading('1. Sandboxes');
  const sb = await startLocalSandboxes({
    startMicros: S - 5 * 60_000_000,
    tablestore: { instanceName: devConfig.tablestore.instanceName },
    oss: { bucket: devConfig.oss.bucket },
  });
  try {
    out(`Tablestore sandbox  ${sb.tablestore.endpoint}  instance ${sb.tablestore.instanceName}`);
    out(`OSS sandbox         ${sb.oss.endpoint}  bucket ${sb.oss.bucket}`);
    out('Both check request signatures against one test AccessKey (handed to the runtime via ALIBABA_CLOUD_* variables, never printed).');

    const config: SyncRuntimeConfigInput = {
      ...devConfig,
      tablestore: { ...devConfig.tablestore, endpoint: sb.tablestore.endpoint },
      oss: { ...devConfig.oss, endpoint: sb.oss.endpoint, region: sb.oss.clientOptions().region },
      format: { ...devConfig.format, compression: 'gzip' },
    };
    const env = { ...process.env, ...sb.credentialEnv() };
    const configArg = encodeConfigArgument(config);

    heading('2. Table with a Stream, rows written with the official tablestore client');
    const table = { name: devConfig.tablestore.tableName, primaryKey: devTable.config.layout?.primaryKey ?? [] };
    await createStreamTable(sb.ots, table.name, table.primaryKey.map((k) => ({ name: k.name, type: k.type.toUpperCase() as 'STRING' | 'INTEGER' | 'BINARY' })));
    out(`CreateTable ${table.name} (${table.primaryKey.map((k) => `${k.name} ${k.type}`).join(', ')}) with stream, expiration 24 h`);
    const at = async (micros: number, label: string, write: () => Promise<unknown>): Promise<void> => {
      sb.tablestore.clock.set(micros);
      await write();
      out(`  ${formatWindowTime(Math.floor(micros / 1000), tz)}.${String(micros % 1_000_000).padStart(6, '0')}  ${relative(micros).padEnd(14)}  ${label}`);
    };
    const relative = (micros: number): string => {
      const [base, name] = micros - S < E - micros ? [S, 'start'] : [E, 'end'];
      const d = micros - base;
      if (d === 0) return name;
      const abs = Math.abs(d);
      const amount = abs % 60_000_000 === 0 ? `${abs / 60_000_000} min` : abs % 1_000_000 === 0 ? `${abs / 1_000_000} s` : `${abs} µs`;
      return `${name} ${d > 0 ? '+' : '−'} ${amount}`;
    };
    const pk = (device: string, ts: number) => [{ device_id: device }, { ts: long(ts) }];
    const reading = (t: number, h: number, status: string) => [{ temperature: t }, { humidity: h }, { status }];
    await at(S - 1_000_000, 'PutRow sensor-0 (before the window: excluded)', () => sb.ots.putRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-0', 1), attributeColumns: reading(20.5, 40.25, 'ok') }));
    await at(S, 'PutRow sensor-1 (exactly at the start: included)', () => sb.ots.putRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-1', 1), attributeColumns: reading(21.5, 41.5, 'ok') }));
    await at(S + 600_000_000, 'BatchWriteRow sensor-2..sensor-6', () =>
      sb.ots.batchWriteRow({
        tables: [{
          tableName: table.name,
          rows: [2, 3, 4, 5, 6].map((i) => ({ type: 'PUT', condition: ignoreCondition(), primaryKey: pk(`sensor-${i}`, 1), attributeColumns: reading(20 + i, 40 + i, i % 2 ? 'ok' : 'warn, "hot"') })),
        }],
      }));
    await at(S + 1_200_000_000, 'UpdateRow sensor-1: temperature := 22.75, delete status', () =>
      sb.ots.updateRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-1', 1), updateOfAttributeColumns: [{ PUT: [{ temperature: 22.75 }] }, { DELETE_ALL: ['status'] }] }));
    await at(S + 1_800_000_000, 'DeleteRow sensor-3', () => sb.ots.deleteRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-3', 1) }));
    // The baseline snapshot, taken while the writes go on (the restore replays the windows from its start on).
    const snapshotAt = window.start + 40 * 60_000;
    sb.tablestore.clock.set(snapshotAt * 1000);
    out(`  ${formatWindowTime(snapshotAt, tz)}         start + 40 min  otsbk-sync snapshot (a baseline for restore; writes go on around it):`);
    const snap = await runCli(['snapshot', '--config', configArg], env, () => snapshotAt);
    if (snap.code !== 0) return snap.code;
    out(`   ${snap.result.manifest.rows} rows in ${snap.result.manifest.parts.length} key range(s) under ${snap.result.manifestKey.replace(/_manifest\.json$/, '')}`);
    await at(E - 1, 'PutRow sensor-7 (end − 1 µs: included)', () => sb.ots.putRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-7', 1), attributeColumns: reading(27, 47, 'ok') }));
    await at(E, 'PutRow sensor-8 (exactly at the end: excluded, it belongs to the next window)', () => sb.ots.putRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-8', 1), attributeColumns: reading(28, 48, 'ok') }));

    heading(`3. The run at ${formatWindowTime(runTime, tz)} ${tz}: window [${startTime}, ${endTime})`);
    out(`dev configuration (dist/otsbk-environments.json) with the sandbox endpoints: ${config.format!.fileFormat} ${config.format!.compression}, columns ${devConfig.layout.mode === 'rows' ? devConfig.layout.columns.map((c) => c.name).join(', ') : ''}`);
    const run = await runCli(['run', '--start', startTime, '--end', endTime, '--config', configArg], env);
    if (run.code !== 0) return run.code;

    heading('4. Objects in OSS');
    for (const [key, body] of sb.oss.objects()) out(`  ${String(body.length).padStart(6)} B  ${key}`);
    heading('Manifest (the commit marker, written last)');
    out(JSON.stringify(run.result.manifest, null, 2));
    heading('Decoded lines (gunzip of the data files)');
    for (const part of run.result.manifest.parts as Array<{ key: string }>) {
      const body = sb.oss.objects().get(part.key)!;
      out(`${part.key}:`);
      for (const line of gunzipSync(body).toString('utf8').split('\n').filter(Boolean)) out(`  ${line}`);
    }
    out('(sensor-0 and sensor-8 are outside the window; the DELETE of sensor-3 is a tombstone line (_op DELETE), which');
    out(' the Data Integration row mode would not write; sensor-1\'s update carries its new values and names the deleted');
    out(' column in _deleted_columns.)');

    heading('5. Rerun the same window (as a DataWorks rerun would): same keys, same bytes');
    const rerun = await runCli(['run', '--start', startTime, '--end', endTime, '--config', configArg], env);
    const digest = (r: any): string => (r.manifest.parts as Array<{ sha256: string }>).map((p) => p.sha256).join(',');
    out(`   identical objects: ${rerun.code === 0 && digest(rerun.result) === digest(run.result)}`);

    heading('6. Verify: re-read the stream and compare with the manifest and the objects');
    const verify = await runCli(['verify', '--start', startTime, '--end', endTime, '--config', configArg], env);
    out(`   ok: ${verify.result?.ok}, mismatches: ${JSON.stringify(verify.result?.mismatches)}`);
    const list = await runCli(['list', '--start', startTime, '--end', endTime, '--config', configArg], env);
    out(`   committed: ${list.result?.committed}, objects: ${list.result?.objects.length}`);

    heading('7. Restore: snapshot → windows → restore → verify');
    const next = { start: window.end, end: window.end + 3_600_000 };
    const nextStart = formatWindowTime(next.start, tz);
    const nextEnd = formatWindowTime(next.end, tz);
    await at(E + 300_000_000, 'UpdateRow sensor-2: status := "serviced"', () =>
      sb.ots.updateRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-2', 1), updateOfAttributeColumns: [{ PUT: [{ status: 'serviced' }] }] }));
    await at(E + 600_000_000, 'DeleteRow sensor-4', () => sb.ots.deleteRow({ tableName: table.name, condition: ignoreCondition(), primaryKey: pk('sensor-4', 1) }));
    const afterNext = (): number => next.end + 60 * 60_000;
    const run2 = await runCli(['run', '--start', nextStart, '--end', nextEnd, '--config', configArg], env, afterNext);
    if (run2.code !== 0) return run2.code;
    const target = `${table.name}_restored`;
    const restore = await runCli(['restore', '--to', nextEnd, '--target', target, '--config', configArg], env, afterNext);
    if (restore.code !== 0) return restore.code;
    out(`   snapshot ${restore.result.snapshot.startTime} + windows ${restore.result.windows.join(', ')} → ${restore.result.rowsWritten} row writes into ${target}`);
    const vBackup = await runCli(['verify-restore', '--to', nextEnd, '--target', target, '--config', configArg], env, afterNext);
    out(`   against the backup: ok ${vBackup.result?.ok}, ${vBackup.result?.actualRows} rows, ${vBackup.result?.differenceCount} differing keys`);
    const vSource = await runCli(['verify-restore', '--to', nextEnd, '--target', target, '--against', 'source', '--config', configArg], env, afterNext);
    out(`   against the source (unchanged since ${nextEnd}): ok ${vSource.result?.ok}, ${vSource.result?.expectedRows} rows`);

    heading('Done');
    out(`Window [${startTime}, ${endTime}) exported and verified, the table restored to ${nextEnd} and verified, in ${((Date.now() - started) / 1000).toFixed(1)} s, no cloud account involved.`);
    const exported = verify.code === 0 && list.code === 0 && rerun.code === 0 && digest(rerun.result) === digest(run.result);
    return exported && vBackup.code === 0 && vSource.code === 0 ? 0 : 1;
  } finally {
    await sb.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
