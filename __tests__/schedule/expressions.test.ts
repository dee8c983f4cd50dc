import {
  DEFAULT_END_TIME_EXPRESSION,
  DEFAULT_SCHEDULING_PARAMETERS,
  DEFAULT_START_TIME_EXPRESSION,
  ScheduleExpressionError,
  evaluateSchedulingExpression,
  evaluateSchedulingParameters,
  parseSchedulingExpression,
  parseSchedulingParameters,
  parseWindowTime,
} from '../../lib/schedule';

const SH = 'Asia/Shanghai';
/** A run instant given as Shanghai wall-clock yyyyMMddHHmmss. */
const run = (local: string, tz = SH): number => parseWindowTime(local, tz);
const ev = (expr: string, local: string, tz = SH): string => evaluateSchedulingExpression(expr, run(local, tz), tz);

describe('the DataWorks console example', () => {
  const at = run('20230423190000');

  test('hourly window parameters at 2023-04-23 19:00 give [17:50, 18:50)', () => {
    expect(evaluateSchedulingExpression(DEFAULT_START_TIME_EXPRESSION, at, SH)).toBe('20230423175000');
    expect(evaluateSchedulingExpression(DEFAULT_END_TIME_EXPRESSION, at, SH)).toBe('20230423185000');
  });

  test('each $[...] is formatted from run time + its own offset', () => {
    expect(evaluateSchedulingExpression('$[yyyymmddhh24-2/24]', at, SH)).toBe('2023042317');
    expect(evaluateSchedulingExpression('$[miss-10/24/60]', at, SH)).toBe('5000');
  });

  test('the parameter list evaluates by name; a Date works as run time', () => {
    expect([...evaluateSchedulingParameters(DEFAULT_SCHEDULING_PARAMETERS, new Date(at), SH)]).toEqual([
      ['startTime', '20230423175000'],
      ['endTime', '20230423185000'],
    ]);
  });

  test('the same instant in another zone formats its own wall clock', () => {
    expect(evaluateSchedulingExpression('$cyctime', at, 'UTC')).toBe('20230423110000');
    expect(evaluateSchedulingExpression('$cyctime', at, SH)).toBe('20230423190000');
  });
});

describe('format tokens (docs example: scheduled 2025-11-01 02:30:45, business date 20251031)', () => {
  const t = '20251101023045';
  test.each([
    ['$[yyyy]', '2025'],
    ['$[yy]', '25'],
    ['$[mm]', '11'],
    ['$[dd]', '01'],
    ['$[hh24]', '02'],
    ['$[hh]', '02'],
    ['$[hh12]', '02'],
    ['$[mi]', '30'],
    ['$[ss]', '45'],
    ['$[miss]', '3045'],
    ['$[hh24miss]', '023045'],
    ['$[yyyymm]', '202511'],
    ['$[yyyymmdd]', '20251101'],
    ['$[yyyymmddhh24]', '2025110102'],
    ['$[yyyymmddhh24miss]', '20251101023045'],
    ['$[yyyy-mm-dd]', '2025-11-01'],
    ['$[hh24:mi:ss]', '02:30:45'],
    ['${yyyy}', '2025'],
    ['${yy}', '25'],
    ['${mm}', '10'],
    ['${dd}', '31'],
    ['${yyyymm}', '202510'],
    ['${yyyymmdd}', '20251031'],
    ['${yyyy-mm-dd}', '2025-10-31'],
    ['$bizdate', '20251031'],
    ['$cyctime', '20251101023045'],
    ['$gmtdate', '20251101'],
    ['$bizmonth', '202510'],
  ])('%s → %s', (expr, expected) => {
    expect(ev(expr, t)).toBe(expected);
  });

  test('12-hour tokens: 14:05 → 02, midnight and noon → 12', () => {
    expect(ev('$[hh]', '20230423140500')).toBe('02');
    expect(ev('$[hh24]', '20230423140500')).toBe('14');
    expect(ev('$[hh12]', '20230423000500')).toBe('12');
    expect(ev('$[hh]', '20230423120000')).toBe('12');
  });

  test('constants concatenate with parts (docs: first day of month)', () => {
    expect(ev('${yyyymm}01', '20231028020000')).toBe('20231001');
    expect(ev('pt_$bizdate', '20231028020000')).toBe('pt_20231027');
    expect(ev('abc', '20231028020000')).toBe('abc');
  });
});

describe('offsets crossing day, month and year boundaries', () => {
  test.each([
    ['$[yyyymmdd-1]', '20230301003000', '20230228'],
    ['$[yyyymmdd-1]', '20240301003000', '20240229'],
    ['$[yyyymmdd+1]', '20231231120000', '20240101'],
    ['$[yyyymmddhh24miss-10/24/60]', '20240101000500', '20231231235500'],
    ['$[yyyymmddhh24-1/24]', '20230501000000', '2023043023'],
    ['$[yyyymmddhh24+1/24]', '20231231233000', '2024010100'],
    ['$[yyyymmdd-1-1/24]', '20230331003000', '20230329'],
    ['$[yyyymmdd-7*1]', '20230103000000', '20221227'],
    ['$[yyyymmdd+7*2]', '20231225000000', '20240108'],
    ['$[hh24mi-90/24/60]', '20230423010000', '2330'],
    ['$[add_months(yyyymmdd,-1)]', '20250331020000', '20250228'],
    ['$[add_months(yyyymmdd,-1)]', '20240331020000', '20240229'],
    ['$[add_months(yyyymmdd,-12)]', '20240229020000', '20230228'],
    ['$[add_months(yyyymmdd,12*2)]', '20180607010101', '20200607'],
    ['$[add_months(yyyymm,-1)]', '20230115000000', '202212'],
    ['$[add_months(yyyymmdd,+1)]', '20230131000000', '20230228'],
    ['$[add_months(yyyymmddhh24mi,-1)-30/24/60]', '20230331001000', '202302272340'],
    ['${yyyymmdd-1}', '20230301020000', '20230227'],
    ['${yyyymmdd-7*2}', '20230115020000', '20221231'],
    ['${yyyymm-1}', '20230102020000', '202212'],
    ['${yyyy-1}', '20230102020000', '2022'],
    ['${yyyy-mm-dd+1}', '20231231020000', '2023-12-31'],
    ['${yy}', '20000101000000', '99'],
    ['$bizdate', '20230101000000', '20221231'],
    ['$bizmonth', '20230315000000', '202302'],
    ['$bizmonth', '20230301000000', '202302'],
    ['$bizmonth', '20230101000000', '202212'],
  ])('%s at %s → %s', (expr, local, expected) => {
    expect(ev(expr, local)).toBe(expected);
  });

  test('hour and minute offsets apply to the instant across a DST change (DataWorks DST note)', () => {
    // Los Angeles springs forward at 02:00 on 2023-03-12: 03:00 minus one hour shows 01, minus 10 minutes 01:50.
    const la = 'America/Los_Angeles';
    expect(ev('$[hh24-1/24]', '20230312030000', la)).toBe('01');
    expect(ev('$[hh24mi-10/24/60]', '20230312030000', la)).toBe('0150');
  });
});

describe('parsing', () => {
  test('parts and offsets are exposed', () => {
    const parsed = parseSchedulingExpression('$[add_months(yyyymmdd,-12*2)-1-3/24-5/24/60]x$bizdate');
    expect(parsed.parts).toHaveLength(3);
    const [time, literal, system] = parsed.parts;
    expect(time).toMatchObject({ kind: 'scheduledTime', addMonths: -24, offsetSeconds: -(86_400 + 3 * 3_600 + 5 * 60) });
    expect(literal).toEqual({ kind: 'literal', text: 'x' });
    expect(system).toMatchObject({ kind: 'systemParameter', name: 'bizdate' });
    expect(parseSchedulingExpression('${yyyymm-1}').parts[0]).toMatchObject({ kind: 'businessDate', unit: 'month', offset: -1 });
    expect(parseSchedulingExpression('${yyyy+2}').parts[0]).toMatchObject({ unit: 'year', offset: 2 });
  });

  test.each([
    ['', /the value is empty/, undefined],
    ['$[yyyymmdd-1/25]', /unsupported divisor: offsets are N \(days\), N\/24 \(hours\) or N\/24\/60 \(minutes\)/, 12],
    ['$[yyyymmdd-1/24/30]', /unsupported divisor/, 15],
    ['$[yyyymmdd-1/240]', /unsupported divisor/, 12],
    ['$[hh24miss-1/24/60/60]', /second offsets are not supported/, 18],
    ['$[YYYYMMDD]', /format tokens are lower-case/, 2],
    ['$[yyyymmddxx]', /unexpected "x" in the format/, 10],
    ['$[yyyy-]', /separator "-" must be followed by a format token/, 6],
    ['$[:mi]', /separator ":" must follow a format token/, 2],
    ['$[yyyy/mm]', /unexpected "\/" in the format/, 6],
    ['$[]', /the format is empty/, 2],
    ['$[-1]', /the format is empty/, 2],
    ['$[yyyymmdd', /"\$\[" is not closed by "\]"/, 0],
    ['${yyyymmdd', /"\$\{" is not closed by "\}"/, 0],
    ['$[yyyymmdd-1x]', /unexpected "x"; expected an offset/, 12],
    ['$[yyyymmdd-1*]', /expected a number, found the end/, 13],
    ['$[yyyymmdd-9999999999]', /number 9999999999 is too large/, 11],
    ['${hh24}', /"hh24" is not available in \$\{\.\.\.\}/, 2],
    ['${yyyymmdd-1/24}', /hour and minute offsets .* are not supported in \$\{\.\.\.\}/, 12],
    ['${add_months(yyyymmdd,-1)}', /add_months is only supported in \$\[\.\.\.\]/, 2],
    ['${bdp.system.bizdate}', /legacy form/, 2],
    ['$[add_months(yyyymmdd)]', /expected "," between the add_months format and its month count/, 21],
    ['$[add_months(yyyymmdd,-1]', /expected "\)" to close add_months/, 24],
    ['$[add_months yyyymmdd,1)]', /expected "\(" after add_months/, 12],
    ['$[last_day(yyyymmdd)]', /unknown function/, 2],
    ['$foo', /unknown system parameter "\$foo"/, 0],
    ['$jobid', /identifies a DataWorks instance/, 0],
    ['$1', /"\$" must start/, 0],
    ['a b', /whitespace is not allowed/, 1],
    ['a=b', /"=" is not allowed/, 1],
  ])('%j is rejected', (text, message, index) => {
    let error: unknown;
    try {
      parseSchedulingExpression(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    const err = error as ScheduleExpressionError;
    expect(err.message).toMatch(message);
    expect(err.message).toContain(JSON.stringify(text));
    expect(err.expression).toBe(text);
    expect(err.index).toBe(index);
  });

  test('add_months onto a local time that a DST change skips is refused', () => {
    // 2023-04-26 02:30 Berlin shifted back one month is 2023-03-26 02:30, which does not exist.
    expect(() => ev('$[add_months(yyyymmdd,-1)]', '20230426023000', 'Europe/Berlin')).toThrow(/does not exist in Europe\/Berlin/);
  });

  test('an invalid run time or zone is refused', () => {
    expect(() => evaluateSchedulingExpression('$cyctime', new Date(NaN), SH)).toThrow(/not a valid instant/);
    expect(() => evaluateSchedulingExpression('$cyctime', 0, 'Mars/Base')).toThrow(/Unknown time zone "Mars\/Base"/);
  });
});

describe('parseSchedulingParameters', () => {
  test('space-separated key=value pairs in order', () => {
    const params = parseSchedulingParameters(`  startTime=${DEFAULT_START_TIME_EXPRESSION}\n endTime=${DEFAULT_END_TIME_EXPRESSION}   region=hangzhou `);
    expect([...params.keys()]).toEqual(['startTime', 'endTime', 'region']);
    expect(params.get('startTime')).toBe(DEFAULT_START_TIME_EXPRESSION);
    expect(params.get('region')).toBe('hangzhou');
    expect(parseSchedulingParameters('').size).toBe(0);
  });

  test.each([
    ['startTime', /"startTime" is not a key=value assignment/, 0],
    ['a=1 a=2', /parameter "a" is assigned twice/, 4],
    ['1x=1', /parameter name "1x" must start with a letter/, 0],
    ['x=', /parameter "x" has no value/, 2],
    ['a=1 endTime=$[yyyymmdd-1/7]', /parameter "endTime": unsupported divisor/, 24],
    ['a=b=c', /parameter "a": "=" is not allowed/, 3],
  ])('%j is rejected', (text, message, index) => {
    try {
      parseSchedulingParameters(text);
      throw new Error('expected a ScheduleExpressionError');
    } catch (e) {
      expect(e).toBeInstanceOf(ScheduleExpressionError);
      expect((e as ScheduleExpressionError).message).toMatch(message);
      expect((e as ScheduleExpressionError).index).toBe(index);
    }
  });
});
