import {
  DEFAULT_END_TIME_EXPRESSION,
  DEFAULT_HOURLY_CRON,
  DEFAULT_START_TIME_EXPRESSION,
  DEFAULT_STREAM_LAG_MINUTES,
  DEFAULT_TIMEZONE,
  ScheduleError,
  TimeZoneError,
  Window,
  WindowTimeError,
  WindowValidationError,
  assertTiling,
  checkTiling,
  endMicros,
  formatWindowTime,
  parseWindow,
  parseWindowTime,
  planWindows,
  startMicros,
  validateWindow,
  windowForRun,
  windowProblems,
} from '../../lib/schedule';

const SH = DEFAULT_TIMEZONE;
const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;

describe('parseWindowTime / formatWindowTime', () => {
  test('yyyyMMddHHmmss is wall-clock time in the zone', () => {
    expect(parseWindowTime('20230423175000', SH)).toBe(Date.UTC(2023, 3, 23, 9, 50));
    expect(parseWindowTime('20230423175000', 'UTC')).toBe(Date.UTC(2023, 3, 23, 17, 50));
    expect(parseWindowTime('20240229235959', SH)).toBe(Date.UTC(2024, 1, 29, 15, 59, 59));
    expect(formatWindowTime(Date.UTC(2023, 3, 23, 9, 50), SH)).toBe('20230423175000');
    expect(formatWindowTime(Date.UTC(2023, 11, 31, 16, 0, 0, 999), SH)).toBe('20240101000000');
  });

  test.each([
    ['2023042317500', /expected 14 characters \(yyyyMMddHHmmss\), got 13/],
    ['202304231750000', /got 15/],
    ['2023-04-23 17:', /character "-" at index 4 is not a digit/],
    ['2023042317500x', /character "x" at index 13 is not a digit/],
    ['19691231235959', /year 1969 is before 1970/],
    ['20230023175000', /month 00 is out of range 01-12/],
    ['20231323175000', /month 13 is out of range 01-12/],
    ['20230400175000', /day 00 does not exist/],
    ['20230229120000', /day 29 does not exist in February 2023 \(it has 28 days\)/],
    ['20230431120000', /day 31 does not exist in April 2023 \(it has 30 days\)/],
    ['20230423240000', /hour 24 is out of range 00-23/],
    ['20230423236000', /minute 60 is out of range 00-59/],
    ['20230423235960', /second 60 is out of range 00-59/],
  ])('%j is refused', (text, message) => {
    expect(() => parseWindowTime(text, SH)).toThrow(WindowTimeError);
    expect(() => parseWindowTime(text, SH)).toThrow(message);
    expect(() => parseWindowTime(text, SH)).toThrow(`Invalid window time ${JSON.stringify(text)}`);
  });

  test('non-strings and unknown zones are refused', () => {
    expect(() => parseWindowTime(20230423175000 as unknown as string, SH)).toThrow(/expected a string/);
    expect(() => parseWindowTime('20230423175000', 'Asia/Atlantis')).toThrow(TimeZoneError);
  });

  test('DST: skipped local times and repeated local times are refused, others resolve', () => {
    expect(() => parseWindowTime('20230326023000', BERLIN)).toThrow(/local time 2023-03-26 02:30:00 does not exist in Europe\/Berlin/);
    expect(() => parseWindowTime('20231029023000', BERLIN)).toThrow(/occurs twice in Europe\/Berlin \(UTC\+02:00 and UTC\+01:00\)/);
    expect(parseWindowTime('20231029013000', BERLIN)).toBe(Date.UTC(2023, 9, 28, 23, 30));
    expect(parseWindowTime('20231029033000', BERLIN)).toBe(Date.UTC(2023, 9, 29, 2, 30));
    expect(parseWindowTime('20230326033000', BERLIN)).toBe(Date.UTC(2023, 2, 26, 1, 30));
  });
});

describe('windows', () => {
  const run = parseWindowTime('20230423190000', SH);

  test('the 19:00 run syncs [17:50, 18:50) Shanghai time', () => {
    const w = windowForRun(new Date(run), DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH);
    expect(w).toEqual({ start: Date.UTC(2023, 3, 23, 9, 50), end: Date.UTC(2023, 3, 23, 10, 50) });
    expect(startMicros(w)).toBe(Date.UTC(2023, 3, 23, 9, 50) * 1000);
    expect(endMicros(w)).toBe(1682247000000000);
  });

  test('debug runs pass explicit times', () => {
    expect(parseWindow('20230423175000', '20230423185000', SH)).toEqual(windowForRun(run, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH));
  });

  test('an expression that does not produce yyyyMMddHHmmss is refused with its name and value', () => {
    expect(() => windowForRun(run, '$[yyyymmdd]', DEFAULT_END_TIME_EXPRESSION, SH)).toThrow(
      /Invalid window time "20230423": startTime expression "\$\[yyyymmdd\]" for the run at 20230423190000 Asia\/Shanghai gave an unusable time: expected 14 characters/,
    );
    expect(() => windowForRun(run, DEFAULT_START_TIME_EXPRESSION, '$[yyyymmdd-1/5]', SH)).toThrow(/unsupported divisor/);
  });
});

describe('validateWindow', () => {
  const now = Date.UTC(2023, 3, 23, 11, 0); // 19:00 Shanghai
  const ok: Window = { start: now - 70 * 60_000, end: now - 10 * 60_000 };
  const options = { now, retentionHours: 24 };

  test('the default window of the current run passes, including end exactly at now minus the lag', () => {
    expect(DEFAULT_STREAM_LAG_MINUTES).toBe(10);
    expect(() => validateWindow(ok, options)).not.toThrow();
    expect(windowProblems(ok, { ...options, now: new Date(now) })).toEqual([]);
  });

  test.each<[string, Window, object, RegExp]>([
    ['end not after start', { start: now - HOUR, end: now - HOUR }, {}, /end 2023-04-23T10:00:00.000Z is not after start 2023-04-23T10:00:00.000Z/],
    ['end before start', { start: now - HOUR, end: now - 2 * HOUR }, {}, /end 2023-04-23T09:00:00.000Z is not after start/],
    ['end inside the stream lag', { start: now - HOUR, end: now - 5 * 60_000 }, {}, /end 2023-04-23T10:55:00.000Z is later than now minus the 10-minute stream lag \(2023-04-23T10:50:00.000Z\)/],
    ['end after a custom lag', { start: now - HOUR, end: now - 20 * 60_000 }, { streamLagMinutes: 30 }, /later than now minus the 30-minute stream lag/],
    ['start beyond retention', { start: now - 25 * HOUR, end: now - 24 * HOUR }, {}, /start 2023-04-22T10:00:00.000Z is older than now minus the 24-hour stream retention \(2023-04-22T11:00:00.000Z\)/],
    ['malformed start', { start: NaN, end: now - HOUR }, {}, /start NaN is not a whole number of epoch milliseconds/],
    ['fractional end', { start: now - 2 * HOUR, end: now - HOUR + 0.5 }, {}, /end .* is not a whole number of epoch milliseconds/],
    ['bad now', ok, { now: new Date(NaN) }, /now \(Invalid Date\) is not a valid instant/],
    ['bad retention', ok, { retentionHours: 0 }, /retentionHours 0 must be a positive number/],
    ['bad lag', ok, { streamLagMinutes: -1 }, /streamLagMinutes -1 must be a non-negative number/],
  ])('refuses: %s', (_name, window, extra, message) => {
    expect(() => validateWindow(window, { ...options, ...extra })).toThrow(WindowValidationError);
    expect(() => validateWindow(window, { ...options, ...extra })).toThrow(message);
  });

  test('lists every broken rule, in local time when a zone is given', () => {
    try {
      validateWindow({ start: now - 30 * HOUR, end: now - 31 * HOUR + 1 }, { ...options, timeZone: SH });
      throw new Error('expected a WindowValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(WindowValidationError);
      const err = e as WindowValidationError;
      expect(err.problems).toHaveLength(2);
      expect(err.message).toMatch(/^Refusing sync window: end 20230422120000 Asia\/Shanghai \(2023-04-22T04:00:00.001Z\) is not after start 20230422130000 Asia\/Shanghai/);
      expect(err.problems[1]).toMatch(/is older than now minus the 24-hour stream retention/);
    }
  });
});

describe('planWindows and checkTiling', () => {
  const day = (from: string, to: string, tz = SH) => [parseWindowTime(from, tz), parseWindowTime(to, tz)] as const;

  test('default hourly cron and expressions tile a day, a month and a year end', () => {
    const [from, to] = day('20230423000000', '20230424000000');
    const windows = planWindows(DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH, from, to);
    expect(windows).toHaveLength(24);
    expect(windows[0]).toEqual({ runTime: from, start: from - 70 * 60_000, end: from - 10 * 60_000 });
    expect(checkTiling(windows)).toEqual({ ok: true });

    const [yFrom, yTo] = day('20231231200000', '20240101060000');
    expect(checkTiling(planWindows(DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH, yFrom, yTo))).toEqual({ ok: true });

    const [mFrom, mTo] = day('20240201000000', '20240301000000');
    const february = planWindows(DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH, mFrom, mTo);
    expect(february).toHaveLength(29 * 24);
    expect(() => assertTiling(february)).not.toThrow();
  });

  test('a 2-hour window on an hourly cron overlaps by exactly one hour', () => {
    const [from, to] = day('20230423000000', '20230423060000');
    const windows = planWindows(DEFAULT_HOURLY_CRON, '$[yyyymmddhh24-3/24]$[miss-10/24/60]', DEFAULT_END_TIME_EXPRESSION, SH, from, to);
    const result = checkTiling(windows);
    expect(result).toMatchObject({
      ok: false,
      kind: 'overlap',
      index: 1,
      interval: { start: parseWindowTime('20230422225000', SH), end: parseWindowTime('20230422235000', SH) },
    });
    expect(!result.ok && result.message).toMatch(
      /overlap of 3600 s between window 0 \(ends 2023-04-22T15:50:00.000Z\) and window 1 \(starts 2023-04-22T14:50:00.000Z\)/,
    );
    expect(() => assertTiling(windows)).toThrow(ScheduleError);
    expect(() => assertTiling(windows)).toThrow(/Windows do not tile: overlap/);
  });

  test('1-hour windows on a 2-hourly cron leave one-hour gaps', () => {
    const [from, to] = day('20230423000000', '20230423060000');
    const result = checkTiling(planWindows('00 00 */2 * * ?', DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, SH, from, to));
    expect(result).toMatchObject({
      ok: false,
      kind: 'gap',
      index: 1,
      interval: { start: parseWindowTime('20230422235000', SH), end: parseWindowTime('20230423005000', SH) },
    });
    expect(!result.ok && result.message).toMatch(/gap of 3600 s .* is never synced/);
  });

  test('empty windows and trivial lists', () => {
    expect(checkTiling([])).toEqual({ ok: true });
    expect(checkTiling([{ start: 5, end: 5 }])).toMatchObject({ ok: false, kind: 'empty', index: 0 });
    expect(checkTiling([{ start: 0, end: 5 }, { start: 5, end: 9 }, { start: 9, end: 10 }])).toEqual({ ok: true });
  });

  test('Europe/Berlin: hourly windows tile across the spring DST change; the autumn repeated hour is refused clearly', () => {
    const spring = planWindows(DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, BERLIN, Date.UTC(2023, 2, 25), Date.UTC(2023, 2, 28));
    expect(spring).toHaveLength(72);
    expect(checkTiling(spring)).toEqual({ ok: true });
    expect(() =>
      planWindows(DEFAULT_HOURLY_CRON, DEFAULT_START_TIME_EXPRESSION, DEFAULT_END_TIME_EXPRESSION, BERLIN, Date.UTC(2023, 9, 28), Date.UTC(2023, 9, 30)),
    ).toThrow(/local time 2023-10-29 02:50:00 occurs twice in Europe\/Berlin/);
  });
});
