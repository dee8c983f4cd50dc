import { TimeZoneError } from './errors';

/** Wall-clock fields of an instant in some time zone; month is 1-12, hour 0-23. */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** How a wall-clock time maps back to instants: DST makes some local times occur twice and others never. */
export type LocalTimeResolution =
  | { readonly kind: 'unique'; readonly epochMs: number }
  | { readonly kind: 'ambiguous'; readonly earlierMs: number; readonly laterMs: number }
  | { readonly kind: 'nonexistent' };

const MS_PER_DAY = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new TimeZoneError(`Unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as "Asia/Shanghai"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws TimeZoneError unless `timeZone` is an IANA zone name Intl knows. */
export function assertTimeZone(timeZone: string): void {
  if (typeof timeZone !== 'string' || timeZone.length === 0) {
    throw new TimeZoneError(`Unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as "Asia/Shanghai"`);
  }
  formatterFor(timeZone);
}

/** Wall-clock fields of `epochMs` in `timeZone`, truncated to the second. */
export function localDateTimeAt(epochMs: number, timeZone: string): LocalDateTime {
  if (!Number.isFinite(epochMs)) {
    throw new TimeZoneError(`Cannot convert instant ${epochMs} to local time: not a finite number of milliseconds`);
  }
  const formatter = formatterFor(timeZone);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter.formatToParts(new Date(Math.floor(epochMs / 1000) * 1000));
  } catch {
    throw new TimeZoneError(`Cannot convert instant ${epochMs} to local time: outside the range JavaScript dates support`);
  }
  const value = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part ? Number(part.value) : NaN;
  };
  return {
    year: value('year'),
    month: value('month'),
    day: value('day'),
    hour: value('hour'),
    minute: value('minute'),
    second: value('second'),
  };
}

/** The fields read as if they were UTC, in epoch ms (valid for any year, unlike Date.UTC which maps 0-99 to 19xx). */
export function fieldsAsUtcMs(fields: LocalDateTime): number {
  const date = new Date(0);
  date.setUTCFullYear(fields.year, fields.month - 1, fields.day);
  date.setUTCHours(fields.hour, fields.minute, fields.second, 0);
  return date.getTime();
}

/** Inverse of fieldsAsUtcMs, truncated to the second. */
export function utcMsAsFields(ms: number): LocalDateTime {
  const date = new Date(Math.floor(ms / 1000) * 1000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** Offset of `timeZone` from UTC at `epochMs`, in ms (positive east of Greenwich). */
export function utcOffsetAt(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return fieldsAsUtcMs(localDateTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

function sameFields(a: LocalDateTime, b: LocalDateTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
}

/**
 * Every instant whose wall clock in `timeZone` shows `fields`. Candidate offsets are those in force a day either
 * side, which covers every real-world transition; each candidate is verified by converting back.
 */
export function resolveLocalDateTime(fields: LocalDateTime, timeZone: string): LocalTimeResolution {
  const asUtc = fieldsAsUtcMs(fields);
  const offsets = new Set([
    utcOffsetAt(asUtc - MS_PER_DAY, timeZone),
    utcOffsetAt(asUtc, timeZone),
    utcOffsetAt(asUtc + MS_PER_DAY, timeZone),
  ]);
  const instants = [...offsets]
    .map((offset) => asUtc - offset)
    .filter((instant) => sameFields(localDateTimeAt(instant, timeZone), fields))
    .sort((a, b) => a - b);
  const distinct = instants.filter((instant, i) => i === 0 || instant !== instants[i - 1]);
  if (distinct.length === 0) return { kind: 'nonexistent' };
  if (distinct.length === 1) return { kind: 'unique', epochMs: distinct[0] };
  return { kind: 'ambiguous', earlierMs: distinct[0], laterMs: distinct[distinct.length - 1] };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Adds calendar months; a day past the end of the target month is clamped to its last day (DataWorks add_months). */
export function addMonthsClamped(fields: LocalDateTime, months: number): LocalDateTime {
  const monthIndex = fields.year * 12 + (fields.month - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  return { ...fields, year, month, day: Math.min(fields.day, daysInMonth(year, month)) };
}

/** Adds calendar days to the date part; the time of day is kept. */
export function addCalendarDays(fields: LocalDateTime, days: number): LocalDateTime {
  return utcMsAsFields(fieldsAsUtcMs(fields) + days * MS_PER_DAY);
}

/** Day of week of a calendar date, 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(fieldsAsUtcMs({ year, month, day, hour: 0, minute: 0, second: 0 })).getUTCDay();
}

/** `+08:00` style rendering of an offset in ms, for error messages. */
export function formatUtcOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMs) / 60_000;
  return `UTC${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
