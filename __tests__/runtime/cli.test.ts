/** The otsbk-sync command: --help, exit codes, JSON logs on stderr, results on stdout, no secret printed. */
import { main } from '../../lib/runtime/cli';
import { COMMAND_HELP } from '../../lib/runtime/cli/help';
import type { CliIo } from '../../lib/runtime/cli/io';
import { encodeConfigArgument } from '../../lib/runtime/sync';
import { writeFileSync } from 'node:fs';
import { writeProjectEnvironments } from '../support/environments';
import { END, END_US, NOW, RuntimeHarness, START, START_US, startRuntimeHarness } from './helpers';

/** The project's environments file, as `npm run build` writes it beside the bundle. */
const ENVIRONMENTS = writeProjectEnvironments();

interface Captured {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

function capture(env: NodeJS.ProcessEnv = { OTSBK_ENVIRONMENTS_FILE: ENVIRONMENTS }, now: () => number = NOW): Captured {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false }, env, cwd: '/tmp', now },
    stdout: () => out,
    stderr: () => err,
  };
}

function logLines(text: string): Array<{ time: string; level: string; msg: string; fields?: Record<string, unknown> }> {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

describe('otsbk-sync without services', () => {
  test.each(['run', 'backfill', 'verify', 'list', 'windows', 'snapshot', 'restore', 'verify-restore'])('%s --help prints its usage and exits 0', async (command) => {
    const c = capture();
    expect(await main([command, '--help'], c.io)).toBe(0);
    expect(c.stdout()).toBe(COMMAND_HELP[command]);
    expect(c.stdout()).toMatch(new RegExp(`^Usage: otsbk-sync ${command} `));
    expect(c.stderr()).toBe('');
  });

  test('--help lists the commands and the exit codes; no command is a usage error', async () => {
    const help = capture();
    expect(await main(['--help'], help.io)).toBe(0);
    for (const command of ['run', 'backfill', 'verify', 'list', 'windows', 'snapshot', 'restore', 'verify-restore']) expect(help.stdout()).toContain(`  ${command} `);
    expect(help.stdout()).toMatch(/Exit codes: 0 ok, 1 runtime failure, 2 usage/);
    const none = capture();
    expect(await main([], none.io)).toBe(2);
  });

  test.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run', '--bogus'], /Unknown option '--bogus'/],
    [['run', '--end', END], /Invalid runtime configuration: tablestore.endpoint is required; tablestore.instanceName is required/],
    [['windows', '--from', '20230423'], /--to is required/],
    [['windows', '--from', '2023042', '--to', '20230424'], /--from "2023042" is malformed: expected yyyyMMdd or yyyyMMddHHmmss/],
    [['windows', '--from', '20230424', '--to', '20230423'], /--to 20230423 must be after --from 20230424/],
    [['windows', '--from', '20230423', '--to', '20230424', '--timezone', 'Mars/Olympus'], /timezone/],
    [['run', '--config', 'not a file and not base64!'], /--config .* is neither a file, inline JSON, nor base64 JSON/],
    [['run', '--config', '{"tablestore": '], /--config \(inline JSON\) is not valid JSON/],
    [['run', '--log-level', 'loud'], /--log-level "loud" must be debug, info, warn or error/],
    [['run', '--config', '{"oss":{"prefx":"exports"}}', '--start', START, '--end', END], /Invalid runtime configuration: unknown field "prefx" in oss \(did you mean "prefix"\?\)/],
    [['run', '--config', Buffer.from('{"layout":{"columns":[{"name":"a","tpye":"string"}]}}').toString('base64'), '--start', START, '--end', END], /unknown field "tpye" in layout\.columns\[0\] \(did you mean "type"\?\)/],
    [['windows', '--config', '{"timezone":"UTC","schedlue":{"cron":"00 00 * * * ?"}}', '--from', '20230423', '--to', '20230424'], /Invalid runtime configuration: unknown field "schedlue" \(did you mean "schedule"\?\)/],
    [['run', '--prefx', 'exports'], /Unknown option '--prefx'/],
  ])('%j exits 2 with a JSON error line', async (args, message) => {
    const c = capture();
    expect(await main(args, c.io)).toBe(2);
    const lines = logLines(c.stderr());
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe('error');
    expect(lines[0].msg).toMatch(message);
    expect(lines[0].fields).toMatchObject({ exitCode: 2 });
    expect(c.stdout()).toBe('');
  });

  test('--env starts from a deployed environment, and refuses an unknown one', async () => {
    const ok = capture();
    expect(await main(['windows', '--env', 'prod', '--from', '20230423', '--to', '20230423020000'], ok.io)).toBe(0);
    expect(JSON.parse(ok.stdout())).toMatchObject({ timezone: 'Asia/Shanghai', schedule: { cron: '00 00 * * * ?' } });
    const bad = capture();
    expect(await main(['run', '--env', 'qa', '--start', START, '--end', END], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('--env \\"qa\\" is not an environment of this project (dev, staging, prod; from ');
  });

  test('--env reads the environments file: --environments-file, $OTSBK_ENVIRONMENTS_FILE, or beside the program; a missing or foreign one exits 2', async () => {
    const windows = ['windows', '--env', 'dev', '--from', '20230423', '--to', '20230423020000'];
    const byFlag = capture({});
    expect(await main([...windows, '--environments-file', ENVIRONMENTS], byFlag.io)).toBe(0);
    expect(JSON.parse(byFlag.stdout()).windows).toHaveLength(2);

    const missing = capture({ OTSBK_ENVIRONMENTS_FILE: '/nonexistent/otsbk-environments.json' });
    expect(await main(windows, missing.io)).toBe(2);
    expect(logLines(missing.stderr())[0].msg).toMatch(/^--env needs the environments file \/nonexistent\/otsbk-environments.json, which does not exist: `npm run build` writes it beside dist\/otsbk-sync.js/);
    // Run from the sources, the default place (beside the module) holds no file either: the same refusal.
    const unbuilt = capture({});
    expect(await main(windows, unbuilt.io)).toBe(2);
    expect(logLines(unbuilt.stderr())[0].msg).toMatch(/^--env needs the environments file .*otsbk-environments.json, which does not exist/);

    const foreign = `${ENVIRONMENTS}.foreign.json`;
    writeFileSync(foreign, JSON.stringify({ format: 'otsbk-environments/0', environments: [] }));
    const old = capture({});
    expect(await main([...windows, '--environments-file', foreign], old.io)).toBe(2);
    expect(logLines(old.stderr())[0].msg).toContain('is not an otsbk-environments/1 document (format "otsbk-environments/0"): rebuild it with `npm run build`');

    const alone = capture();
    expect(await main(['windows', '--from', '20230423', '--to', '20230424', '--environments-file', ENVIRONMENTS], alone.io)).toBe(2);
    expect(logLines(alone.stderr())[0].msg).toBe('--environments-file only applies with --env');
  });

  test('windows: tiling schedule exits 0; an overlapping one prints every fault and exits 3', async () => {
    const ok = capture();
    expect(await main(['windows', '--from', '20230423', '--to', '20230424'], ok.io)).toBe(0);
    const plan = JSON.parse(ok.stdout());
    expect(plan.windows).toHaveLength(24);
    expect(plan.windows[19]).toMatchObject({ runTime: '20230423190000', startTime: '20230423175000', endTime: '20230423185000' });
    expect(plan.tiles).toBe(true);

    const bad = capture();
    expect(await main(['windows', '--from', '20230423', '--to', '20230423040000', '--start-expr', '$[yyyymmddhh24-2/24]$[miss-20/24/60]'], bad.io)).toBe(3);
    const faulty = JSON.parse(bad.stdout());
    expect(faulty.tiles).toBe(false);
    expect(faulty.faults.map((f: { kind: string; index: number }) => `${f.kind}@${f.index}`)).toEqual(['overlap@1', 'overlap@2', 'overlap@3']);

    const gap = capture();
    expect(await main(['windows', '--from', '20230423', '--to', '20230423030000', '--cron', '00 00 */2 * * ?'], gap.io)).toBe(3);
    expect(JSON.parse(gap.stdout()).faults[0]).toMatchObject({ kind: 'gap', from: '20230422235000', to: '20230423005000' });
  });
});

describe('absurd ranges', () => {
  test('windows and backfill refuse 2000-2099 at once, stating the bound', async () => {
    const windows = capture();
    expect(await main(['windows', '--from', '20000101', '--to', '20990101'], windows.io)).toBe(2);
    expect(logLines(windows.stderr())[0].msg).toMatch(/spans 36160 days, more than 366 days: windows lists at most 366 days and 20000 windows at once/);
    const backfill = capture();
    expect(await main(['backfill', '--env', 'dev', '--from', '20000101', '--to', '20990101'], backfill.io)).toBe(2);
    expect(logLines(backfill.stderr())[0].msg).toMatch(/spans 36160 days, more than 8 days: a Stream keeps records for at most 7 days/);
  });

  test('a range within the span but with too many windows stops planning at the bound', async () => {
    const everyMinute = capture();
    expect(await main(['windows', '--from', '20240101', '--to', '20240201', '--cron', '00 * * * * ?', '--start-expr', '$[yyyymmddhh24mi-1/24/60]00', '--end-expr', '$[yyyymmddhh24mi]00'], everyMinute.io)).toBe(2);
    expect(logLines(everyMinute.stderr())[0].msg).toMatch(/holds more than 20000 windows/);
  });
});

describe('otsbk-sync against the sandboxes', () => {
  let h: RuntimeHarness;
  let configArg: string;
  beforeAll(async () => {
    h = await startRuntimeHarness(4, ['tablestore-export', 'elsewhere']);
    await h.at(START_US, () => h.put('a', { name: 'alpha', qty: 1 }));
    await h.at(END_US - 1, () => h.remove('a'));
    const c = h.config();
    configArg = encodeConfigArgument({ tablestore: c.tablestore, oss: c.oss, format: c.format, layout: c.layout });
  });
  afterAll(() => h.close());

  const env = () => h.sb.credentialEnv();

  test('run (as the node calls it), verify and list succeed; logs are JSON lines; no secret is printed', async () => {
    const run = capture(env());
    expect(await main(['run', '--start', START, '--end', END, '--config', configArg], run.io)).toBe(0);
    const result = JSON.parse(run.stdout());
    expect(result.manifest.records).toEqual({ total: 2, PUT: 1, UPDATE: 0, DELETE: 1 });
    const lines = logLines(run.stderr());
    expect(lines.map((l) => l.msg)).toEqual(['window sync started', 'window committed']);
    for (const l of lines) expect(Object.keys(l)).toEqual(['time', 'level', 'msg', 'fields']);

    const verify = capture(env());
    expect(await main(['verify', '--start', START, '--end', END, '--config', configArg], verify.io)).toBe(0);
    expect(JSON.parse(verify.stdout())).toMatchObject({ ok: true, mismatches: [] });

    const list = capture(env());
    expect(await main(['list', '--start', START, '--end', END, '--config', configArg], list.io)).toBe(0);
    expect(JSON.parse(list.stdout())).toMatchObject({ committed: true });

    for (const c of [run, verify, list]) {
      expect(c.stdout() + c.stderr()).not.toContain(h.sb.credentials.accessKeySecret);
      expect(c.stdout() + c.stderr()).not.toContain(h.sb.credentials.accessKeyId);
    }
  });

  test('exit 4 for a refused window, 3 for a verify mismatch, 1 for a runtime failure', async () => {
    const refused = capture(env(), () => END_US / 1000 + 5 * 60_000);
    expect(await main(['run', '--start', START, '--end', END, '--config', configArg], refused.io)).toBe(4);
    expect(logLines(refused.stderr())[0].msg).toMatch(/later than now minus the 10-minute stream lag/);

    const malformed = capture(env());
    expect(await main(['run', '--start', '20230423175060', '--end', END, '--config', configArg], malformed.io)).toBe(2);
    expect(logLines(malformed.stderr())[0].msg).toMatch(/second 60 is out of range 00-59/);

    const run = capture(env());
    expect(await main(['run', '--start', START, '--end', END, '--config', configArg], run.io)).toBe(0);
    const part = JSON.parse(run.stdout()).manifest.parts[0].key as string;
    const original = h.sb.oss.objects().get(part)!;
    h.sb.oss.putObject(part, Buffer.concat([original, Buffer.from('{"id":"intruder"}\n')]));
    const verify = capture(env());
    expect(await main(['verify', '--start', START, '--end', END, '--config', configArg], verify.io)).toBe(3);
    expect(JSON.parse(verify.stdout()).mismatches[0].message).toMatch(/bytes, the manifest says/);
    h.sb.oss.putObject(part, original);

    const wrongSecret = 'Wr0ngSecretValueThatMustNeverBePrinted';
    const denied = capture({ ALIBABA_CLOUD_ACCESS_KEY_ID: h.sb.credentials.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrongSecret });
    expect(await main(['run', '--start', START, '--end', END, '--config', configArg], denied.io)).toBe(1);
    expect(logLines(denied.stderr()).at(-1)!.msg).toMatch(/OTSAuthFailed|signature/i);
    expect(denied.stdout() + denied.stderr()).not.toContain(wrongSecret);
  });

  test('a window before the Stream was enabled exits 4 with the reason in the log line', async () => {
    const before = capture(env());
    expect(await main(['run', '--start', '20230423165000', '--end', '20230423175000', '--config', configArg], before.io)).toBe(4);
    expect(logLines(before.stderr())[0].msg).toMatch(/start 20230423165000 .* is before the Stream was enabled \(20230423174900 /);
  });

  test('flags override the --config document', async () => {
    const c = capture(env());
    expect(await main(['list', '--start', START, '--end', END, '--config', configArg, '--prefix', 'elsewhere'], c.io)).toBe(0);
    expect(JSON.parse(c.stdout())).toMatchObject({ committed: false, directory: `elsewhere/orders/2023/04/23/${START}_${END}/` });
  });
});
