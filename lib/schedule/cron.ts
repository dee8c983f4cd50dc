import { CronExpressionError, ScheduleError } from './errors';
import {
  LocalDateTime,
  addCalendarDays,
  assertTimeZone,
  dayOfWeek,
  daysInMonth,
  fieldsAsUtcMs,
  localDateTimeAt,
  resolveLocalDateTime,
  utcOffsetAt,
} from './timezone';

/**
 * DataWorks cron: six fields `second minute hour day-of-month month day-of-week` (Spring CronSequenceGenerator
 * syntax, extended with L and #), e.g. hourly `00 00 * * * ?`, daily `00 30 02 * * ?`, every 15 min `00 00/15 * * * ?`.
 * Documented limits: the second field must be 00 and there is no year field.
 * Each field is `*`, a value, a range `a-b`, a step `a/n`, `*\/n` or `a-b/n`, or a comma list of those.
 * day-of-month also takes `?` and `L` (last day); day-of-week takes `?`, 0-7 or SUN-SAT (0 and 7 are Sunday, as in
 * Spring), `dL` (last such weekday of the month) and `d#n` (n-th such weekday). Months take 1-12 or JAN-DEC.
 * When both day fields are restricted a day must match both (Spring semantics).
 */

export type CronFieldName = 'second' | 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export interface DayOfMonthRule {
  /** `*` or `?`: every day. */
  readonly any: boolean;
  readonly days: ReadonlySet<number>;
  /** `L`: the last day of the month. */
  readonly lastDay: boolean;
}

export interface DayOfWeekRule {
  readonly any: boolean;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly weekdays: ReadonlySet<number>;
  /** `dL`: last such weekday of the month. */
  readonly lastWeekdays: ReadonlySet<number>;
  /** `d#n`: the n-th such weekday of the month. */
  readonly nthWeekdays: readonly { readonly weekday: number; readonly nth: number }[];
}

export interface CronSchedule {
  readonly text: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: DayOfMonthRule;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: DayOfWeekRule;
}

interface FieldSpec {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const FIELD_LIST = 'second minute hour day-of-month month day-of-week';

/** Parses one field into the set of values it selects; `extra` handles the field-specific atoms (L, dL, d#n). */
function parseField(cron: string, spec: FieldSpec, text: string, extra?: (item: string) => boolean): Set<number> {
  const fail = (problem: string): never => {
    throw new CronExpressionError(cron, `${spec.name} field ${JSON.stringify(text)}: ${problem}`, spec.name, text);
  };
  const values = new Set<number>();
  const range = `${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : ''}`;
  const readValue = (raw: string): number => {
    if (/^\d+$/.test(raw)) {
      const n = Number(raw);
      if (n < spec.min || n > spec.max) fail(`value ${raw} is out of range ${range}`);
      return n;
    }
    const index = spec.names?.indexOf(raw.toUpperCase()) ?? -1;
    if (index < 0) fail(`${JSON.stringify(raw)} is not a number${spec.names ? ' or name' : ''} in range ${range}`);
    return spec.name === 'month' ? index + 1 : index;
  };
  for (const item of text.split(',')) {
    if (item === '') fail('empty list item');
    if (extra?.(item)) continue;
    const [base, stepText, ...rest] = item.split('/');
    if (rest.length > 0) fail(`${JSON.stringify(item)} has more than one '/'`);
    let start: number;
    let end: number;
    if (base === '*') {
      start = spec.min;
      end = spec.max;
    } else if (base.includes('-')) {
      const [a, b, ...more] = base.split('-');
      if (more.length > 0 || a === '' || b === '') fail(`${JSON.stringify(base)} is not a range a-b`);
      start = readValue(a);
      end = readValue(b);
      if (start > end) fail(`range ${base} is reversed (start ${start} is after end ${end})`);
    } else {
      start = readValue(base);
      end = stepText === undefined ? start : spec.max;
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) fail(`step ${JSON.stringify(stepText)} must be a positive whole number`);
      step = Number(stepText);
      if (step > spec.max) fail(`step ${step} exceeds the field maximum ${spec.max}`);
    }
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

/** Parses a DataWorks 6-field cron. Throws CronExpressionError naming the field, value and allowed range. */
export function parseCron(text: string): CronSchedule {
  if (typeof text !== 'string') throw new CronExpressionError(String(text), 'expected a string');
  const fields = text.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 6) {
    const hint =
      fields.length === 7
        ? '; DataWorks has no year field'
        : fields.length === 5
          ? "; DataWorks crons start with a seconds field, e.g. '00 00 * * * ?'"
          : '';
    throw new CronExpressionError(text, `expected 6 fields (${FIELD_LIST}), found ${fields.length}${hint}`);
  }
  const [secondText, minuteText, hourText, domText, monthText, dowText] = fields;
  const spec = (name: CronFieldName): FieldSpec => FIELDS.find((f) => f.name === name)!;
  for (const [i, value] of fields.entries()) {
    if (value === '?' && i !== 3 && i !== 5) {
      throw new CronExpressionError(text, `${FIELDS[i].name} field "?": '?' is only allowed in day-of-month and day-of-week`, FIELDS[i].name, value);
    }
  }

  if (domText === '?' && dowText === '?') {
    throw new CronExpressionError(text, "'?' may stand in only one of day-of-month and day-of-week; use '*' in the other", 'day-of-week', dowText);
  }
  const seconds = parseField(text, spec('second'), secondText);
  if (seconds.size !== 1 || !seconds.has(0)) {
    throw new CronExpressionError(text, `second field ${JSON.stringify(secondText)}: DataWorks does not support second-level scheduling; the second field must be 00`, 'second', secondText);
  }
  const minutes = [...parseField(text, spec('minute'), minuteText)].sort((a, b) => a - b);
  const hours = [...parseField(text, spec('hour'), hourText)].sort((a, b) => a - b);
  const months = parseField(text, spec('month'), monthText);

  let lastDay = false;
  const domAny = domText === '*' || domText === '?';
  const days = domAny
    ? new Set<number>()
    : parseField(text, spec('day-of-month'), domText, (item) => {
        if (item !== 'L') return false;
        lastDay = true;
        return true;
      });

  const lastWeekdays = new Set<number>();
  const nthWeekdays: { weekday: number; nth: number }[] = [];
  const dowSpec = spec('day-of-week');
  const weekdayOf = (raw: string, item: string): number => {
    const n = /^\d+$/.test(raw) ? Number(raw) : dowSpec.names!.indexOf(raw.toUpperCase());
    if (n < 0 || n > 7) {
      throw new CronExpressionError(text, `day-of-week field ${JSON.stringify(dowText)}: ${JSON.stringify(item)} names no weekday (0-7 or SUN-SAT)`, 'day-of-week', dowText);
    }
    return n % 7;
  };
  const dowAny = dowText === '*' || dowText === '?';
  const weekdays = dowAny
    ? new Set<number>()
    : new Set(
        [
          ...parseField(text, dowSpec, dowText, (item) => {
            const last = /^([0-9A-Za-z]+)L$/.exec(item);
            if (last) {
              lastWeekdays.add(weekdayOf(last[1], item));
              return true;
            }
            const nth = /^([0-9A-Za-z]+)#(.*)$/.exec(item);
            if (nth) {
              if (!/^[1-5]$/.test(nth[2])) {
                throw new CronExpressionError(text, `day-of-week field ${JSON.stringify(dowText)}: in ${JSON.stringify(item)} the occurrence after '#' must be 1-5`, 'day-of-week', dowText);
              }
              nthWeekdays.push({ weekday: weekdayOf(nth[1], item), nth: Number(nth[2]) });
              return true;
            }
            return false;
          }),
        ].map((d) => d % 7),
      );

  return {
    text,
    minutes,
    hours,
    months,
    daysOfMonth: { any: domAny, days, lastDay },
    daysOfWeek: { any: dowAny, weekdays, lastWeekdays, nthWeekdays },
  };
}

/** Whether the schedule fires on this calendar date (month, day-of-month and day-of-week all match). */
export function cronMatchesDate(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  if (!schedule.months.has(month)) return false;
  const monthLength = daysInMonth(year, month);
  const dom = schedule.daysOfMonth;
  if (!dom.any && !dom.days.has(day) && !(dom.lastDay && day === monthLength)) return false;
  const dow = schedule.daysOfWeek;
  if (dow.any) return true;
  const weekday = dayOfWeek(year, month, day);
  return (
    dow.weekdays.has(weekday) ||
    (dow.lastWeekdays.has(weekday) && day + 7 > monthLength) ||
    dow.nthWeekdays.some((n) => n.weekday === weekday && Math.ceil(day / 7) === n.nth)
  );
}

/** Longest stretch searched without any run before giving up (covers Feb 29 on a given weekday). */
const SEARCH_LIMIT_DAYS = 366 * 60;

function toMs(value: Date | number, what: string): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new ScheduleError(`${what} ${String(value)} is not a valid instant`);
  return ms;
}

/**
 * Instants of the runs on one local date, ascending. Local times skipped by a DST transition produce no run and a
 * repeated local time runs once, at its second occurrence (both as DataWorks documents for DST switches).
 */
function runsOnDate(schedule: CronSchedule, date: LocalDateTime, timeZone: string): number[] {
  // A local date spans at most [midnight-14h, midnight+38h] in UTC; the same offset at both ends means no transition.
  const midnight = fieldsAsUtcMs(date);
  const offset = utcOffsetAt(midnight - 14 * 3_600_000, timeZone);
  const steady = offset === utcOffsetAt(midnight + 38 * 3_600_000, timeZone);
  const runs: number[] = [];
  for (const hour of schedule.hours) {
    for (const minute of schedule.minutes) {
      const local = { ...date, hour, minute, second: 0 };
      if (steady) {
        runs.push(fieldsAsUtcMs(local) - offset);
        continue;
      }
      const resolved = resolveLocalDateTime(local, timeZone);
      if (resolved.kind === 'unique') runs.push(resolved.epochMs);
      else if (resolved.kind === 'ambiguous') runs.push(resolved.laterMs);
    }
  }
  return runs.sort((a, b) => a - b);
}

function scheduleOf(cron: string | CronSchedule): CronSchedule {
  return typeof cron === 'string' ? parseCron(cron) : cron;
}

/**
 * Run instants (epoch ms, ascending) at or after `from`, without end. Throws ScheduleError if the schedule has no
 * run for 60 years (e.g. `00 00 00 31 2 ?`).
 */
export function* iterateRunTimes(cron: string | CronSchedule, from: Date | number, timeZone: string): Generator<number, never> {
  const schedule = scheduleOf(cron);
  const fromMs = toMs(from, 'from');
  assertTimeZone(timeZone);
  const start = localDateTimeAt(fromMs, timeZone);
  // Start a day early: around a DST change a run on the previous local date can still be at or after `from`.
  let date: LocalDateTime = addCalendarDays({ ...start, hour: 0, minute: 0, second: 0 }, -1);
  let idleDays = 0;
  for (;;) {
    if (cronMatchesDate(schedule, date.year, date.month, date.day)) {
      for (const run of runsOnDate(schedule, date, timeZone)) {
        if (run >= fromMs) {
          idleDays = 0;
          yield run;
        }
      }
    }
    if (++idleDays > SEARCH_LIMIT_DAYS) {
      throw new ScheduleError(`Cron ${JSON.stringify(schedule.text)} has no run within 60 years after ${new Date(fromMs).toISOString()}`);
    }
    date = addCalendarDays(date, 1);
  }
}

/** The first `count` run instants (epoch ms) at or after `from`. */
export function nextRunTimes(cron: string | CronSchedule, from: Date | number, count: number, timeZone: string): number[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new ScheduleError(`count ${count} must be a non-negative whole number`);
  const runs: number[] = [];
  if (count === 0) return runs;
  for (const run of iterateRunTimes(cron, from, timeZone)) {
    runs.push(run);
    if (runs.length === count) break;
  }
  return runs;
}

/** Run instants (epoch ms, ascending) in [from, to). */
export function runTimesBetween(cron: string | CronSchedule, from: Date | number, to: Date | number, timeZone: string, maxRuns = Infinity): number[] {
  const schedule = scheduleOf(cron);
  const fromMs = toMs(from, 'from');
  const toMsValue = toMs(to, 'to');
  if (toMsValue < fromMs) throw new ScheduleError(`to (${new Date(toMsValue).toISOString()}) is before from (${new Date(fromMs).toISOString()})`);
  assertTimeZone(timeZone);
  const runs: number[] = [];
  const start = localDateTimeAt(fromMs, timeZone);
  const last = localDateTimeAt(toMsValue, timeZone);
  const lastDayMs = fieldsAsUtcMs({ ...last, hour: 0, minute: 0, second: 0 }) + 86_400_000;
  for (let date = addCalendarDays({ ...start, hour: 0, minute: 0, second: 0 }, -1); fieldsAsUtcMs(date) <= lastDayMs; date = addCalendarDays(date, 1)) {
    if (!cronMatchesDate(schedule, date.year, date.month, date.day)) continue;
    for (const run of runsOnDate(schedule, date, timeZone)) if (run >= fromMs && run < toMsValue) runs.push(run);
    if (runs.length > maxRuns) throw new ScheduleError(`the range holds more than ${maxRuns} runs`);
  }
  return runs.sort((a, b) => a - b);
}
