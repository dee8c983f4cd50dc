import {
  CronExpressionError,
  DEFAULT_HOURLY_CRON,
  TimeZoneError,
  formatWindowTime,
  nextRunTimes,
  parseCron,
  parseWindowTime,
  runTimesBetween,
} from '../../lib/schedule';

const SH = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const at = (local: string, tz = SH): number => parseWindowTime(local, tz);
const show = (runs: number[], tz = SH): string[] => runs.map((ms) => formatWindowTime(ms, tz));

describe('parseCron', () => {
  test('the default hourly cron fires at minute 0 of every hour', () => {
    const cron = parseCron(DEFAULT_HOURLY_CRON);
    expect(cron.minutes).toEqual([0]);
    expect(cron.hours).toEqual([...Array(24).keys()]);
    expect(cron.daysOfMonth.any).toBe(true);
    expect(cron.daysOfWeek.any).toBe(true);
    expect(cron.months.size).toBe(12);
  });

  test('steps, ranges, lists and names', () => {
    expect(parseCron('00 00/15 * * * ?').minutes).toEqual([0, 15, 30, 45]);
    expect(parseCron('00 5/20 * * * ?').minutes).toEqual([5, 25, 45]);
    expect(parseCron('00 */20 * * * ?').minutes).toEqual([0, 20, 40]);
    expect(parseCron('00 00 00-23/1 * * ?').hours).toEqual([...Array(24).keys()]);
    expect(parseCron('00 00 8-18/5,23 * * ?').hours).toEqual([8, 13, 18, 23]);
    expect([...parseCron('00 00 00 1 jan,Jul ?').months]).toEqual([1, 7]);
    expect([...parseCron('00 00 00 ? * MON-FRI').daysOfWeek.weekdays].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('00 00 00 ? * 0,7').daysOfWeek.weekdays]).toEqual([0]);
  });

  test.each([
    ['00 61 * * * ?', 'minute', '61', /minute field "61": value 61 is out of range 0-59/],
    ['00 00 24 * * ?', 'hour', '24', /hour field "24": value 24 is out of range 0-23/],
    ['00 00 00 0 * ?', 'day-of-month', '0', /value 0 is out of range 1-31/],
    ['00 00 00 32 * ?', 'day-of-month', '32', /value 32 is out of range 1-31/],
    ['00 00 00 1 13 ?', 'month', '13', /month field "13": value 13 is out of range 1-12 or JAN-DEC/],
    ['00 00 00 1 FOO ?', 'month', 'FOO', /"FOO" is not a number or name in range 1-12 or JAN-DEC/],
    ['00 00 00 ? * 8', 'day-of-week', '8', /value 8 is out of range 0-7 or SUN-SAT/],
    ['00 00/0 * * * ?', 'minute', '00/0', /step "0" must be a positive whole number/],
    ['00 00/61 * * * ?', 'minute', '00/61', /step 61 exceeds the field maximum 59/],
    ['00 30-10 * * * ?', 'minute', '30-10', /range 30-10 is reversed/],
    ['00 1,,2 * * * ?', 'minute', '1,,2', /empty list item/],
    ['00 1-2-3 * * * ?', 'minute', '1-2-3', /"1-2-3" is not a range a-b/],
    ['00 1/2/3 * * * ?', 'minute', '1/2/3', /more than one '\/'/],
    ['00 L * * * ?', 'minute', 'L', /"L" is not a number in range 0-59/],
    ['00 ? * * * ?', 'minute', '?', /'\?' is only allowed in day-of-month and day-of-week/],
    ['00 00 * ? * ?', 'day-of-week', '?', /'\?' may stand in only one of day-of-month and day-of-week/],
    ['30 00 * * * ?', 'second', '30', /DataWorks does not support second-level scheduling; the second field must be 00/],
    ['*/15 00 * * * ?', 'second', '*/15', /the second field must be 00/],
    ['00 00 00 ? * MON#6', 'day-of-week', 'MON#6', /occurrence after '#' must be 1-5/],
    ['00 00 00 ? * XL', 'day-of-week', 'XL', /"XL" names no weekday/],
  ])('%j is rejected in the %s field', (cron, field, value, message) => {
    try {
      parseCron(cron);
      throw new Error('expected a CronExpressionError');
    } catch (e) {
      expect(e).toBeInstanceOf(CronExpressionError);
      const err = e as CronExpressionError;
      expect(err.message).toContain(`Invalid cron expression ${JSON.stringify(cron)}`);
      expect(err.message).toMatch(message);
      expect(err.field).toBe(field);
      expect(err.value).toBe(value);
    }
  });

  test.each([
    ['0 0 * * *', /expected 6 fields .* found 5; DataWorks crons start with a seconds field/],
    ['00 00 * * * ? 2023', /found 7; DataWorks has no year field/],
    ['', /expected 6 fields .* found 0/],
  ])('%j has the wrong number of fields', (cron, message) => {
    expect(() => parseCron(cron)).toThrow(CronExpressionError);
    expect(() => parseCron(cron)).toThrow(message);
  });
});

describe('run times', () => {
  test('nextRunTimes includes `from` when it is a run time', () => {
    expect(show(nextRunTimes(DEFAULT_HOURLY_CRON, at('20230423190000'), 3, SH))).toEqual(['20230423190000', '20230423200000', '20230423210000']);
    expect(show(nextRunTimes(DEFAULT_HOURLY_CRON, at('20230423190000') + 1, 1, SH))).toEqual(['20230423200000']);
    expect(nextRunTimes(DEFAULT_HOURLY_CRON, 0, 0, SH)).toEqual([]);
  });

  test('daily at 02:30 across a month end', () => {
    expect(show(nextRunTimes('00 30 02 * * ?', at('20230430030000'), 2, SH))).toEqual(['20230501023000', '20230502023000']);
  });

  test('every 15 minutes across midnight and a year end', () => {
    expect(show(nextRunTimes('00 00/15 * * * ?', at('20231231233100'), 3, SH))).toEqual(['20231231234500', '20240101000000', '20240101001500']);
  });

  test('runTimesBetween is left-closed, right-open, and interprets the cron in the zone', () => {
    const runs = runTimesBetween(DEFAULT_HOURLY_CRON, at('20230423000000'), at('20230424000000'), SH);
    expect(runs).toHaveLength(24);
    expect(show([runs[0], runs[23]])).toEqual(['20230423000000', '20230423230000']);
    expect(runTimesBetween('00 30 02 * * ?', Date.UTC(2023, 3, 23), Date.UTC(2023, 3, 24), SH).map((ms) => new Date(ms).toISOString())).toEqual([
      '2023-04-23T18:30:00.000Z',
    ]);
    expect(runTimesBetween('00 30 02 * * ?', Date.UTC(2023, 3, 23), Date.UTC(2023, 3, 24), 'UTC').map((ms) => new Date(ms).toISOString())).toEqual([
      '2023-04-23T02:30:00.000Z',
    ]);
  });

  test('weekday names, L and # select the right dates', () => {
    expect(show(runTimesBetween('00 00 08 ? * MON-FRI', at('20230422000000'), at('20230430000000'), SH))).toEqual([
      '20230424080000',
      '20230425080000',
      '20230426080000',
      '20230427080000',
      '20230428080000',
    ]);
    expect(show(nextRunTimes('00 00 00 L * ?', at('20240201000000'), 2, SH))).toEqual(['20240229000000', '20240331000000']);
    // 5 is Friday (Spring numbering): the third and the last Friday of April 2023.
    expect(show(nextRunTimes('00 00 00 ? * 5#3', at('20230401000000'), 1, SH))).toEqual(['20230421000000']);
    expect(show(nextRunTimes('00 00 00 ? * FRIL', at('20230401000000'), 1, SH))).toEqual(['20230428000000']);
    expect(show(nextRunTimes('00 00 00 ? * 7', at('20230401000000'), 1, SH))).toEqual(['20230402000000']);
    // Both day fields restricted: the day must match both (Spring semantics).
    expect(show(nextRunTimes('00 00 00 13 * FRI', at('20230101000000'), 2, SH))).toEqual(['20230113000000', '20231013000000']);
  });

  test('DST start: the skipped hour has no run (23 hourly runs), a daily run inside it is skipped', () => {
    const day = runTimesBetween(DEFAULT_HOURLY_CRON, at('20230326000000', BERLIN), at('20230327000000', BERLIN), BERLIN);
    expect(day).toHaveLength(23);
    expect(show(day, BERLIN)).not.toContain('20230326020000');
    expect(show(runTimesBetween('00 30 02 * * ?', at('20230325000000', BERLIN), at('20230328000000', BERLIN), BERLIN), BERLIN)).toEqual([
      '20230325023000',
      '20230327023000',
    ]);
  });

  test('DST end: the repeated hour runs once, at its second occurrence', () => {
    const day = runTimesBetween(DEFAULT_HOURLY_CRON, at('20231029000000', BERLIN), at('20231030000000', BERLIN), BERLIN);
    expect(day).toHaveLength(24);
    const iso = day.map((ms) => new Date(ms).toISOString());
    expect(iso).toContain('2023-10-29T01:00:00.000Z'); // 02:00 CET
    expect(iso).not.toContain('2023-10-29T00:00:00.000Z'); // 02:00 CEST
  });

  test('a schedule that never fires, bad bounds and unknown zones are reported', () => {
    expect(() => nextRunTimes('00 00 00 31 2 ?', 0, 1, SH)).toThrow(/has no run within 60 years/);
    expect(() => runTimesBetween(DEFAULT_HOURLY_CRON, 10, 0, SH)).toThrow(/is before from/);
    expect(() => nextRunTimes(DEFAULT_HOURLY_CRON, NaN, 1, SH)).toThrow(/not a valid instant/);
    expect(() => nextRunTimes(DEFAULT_HOURLY_CRON, 0, -1, SH)).toThrow(/count -1/);
    expect(() => nextRunTimes(DEFAULT_HOURLY_CRON, 0, 1, 'Nowhere/City')).toThrow(TimeZoneError);
  });
});
