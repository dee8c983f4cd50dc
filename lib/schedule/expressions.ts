import { ScheduleExpressionError, ScheduleError } from './errors';
import {
  LocalDateTime,
  addCalendarDays,
  addMonthsClamped,
  assertTimeZone,
  localDateTimeAt,
  resolveLocalDateTime,
} from './timezone';

/**
 * DataWorks scheduling parameter values, as documented in "Supported formats for scheduling parameters":
 *  - `$[format±offsets]`      scheduling time (cyctime) formatted with yyyy yy mm dd hh24 hh12 hh mi ss and the
 *                             separators '-' and ':'; offsets are N (days), N/24 (hours), N/24/60 (minutes), N*M;
 *  - `$[add_months(format,±N)±offsets]` month shift of the scheduling time, clamped to the end of the month;
 *  - `${format±N}`            business date (run date - 1 day) with yyyy yy mm dd; N counts the smallest unit in the
 *                             format (years for yyyy/yy, months for mm, days for dd);
 *  - `$bizdate` `$cyctime` `$gmtdate` `$bizmonth` built-in system parameters;
 *  - anything else is a constant, concatenated with the parts above (e.g. `${yyyymm}01`).
 * Spaces and '=' are not allowed in a value.
 */

export type FormatToken = 'yyyy' | 'yy' | 'mm' | 'dd' | 'hh24' | 'hh12' | 'hh' | 'mi' | 'ss';

export type FormatPart = { readonly kind: 'token'; readonly token: FormatToken } | { readonly kind: 'separator'; readonly text: '-' | ':' };

export type OffsetUnit = 'day' | 'hour' | 'minute';

/** One `±N`, `±N*M`, `±N/24` or `±N/24/60` term, `amount` already signed and multiplied out. */
export interface OffsetTerm {
  readonly amount: number;
  readonly unit: OffsetUnit;
}

/** `$[...]`: the scheduling time, optionally shifted by add_months, then by offsetSeconds, formatted. */
export interface ScheduledTimePart {
  readonly kind: 'scheduledTime';
  readonly source: string;
  readonly format: readonly FormatPart[];
  /** Months from add_months(format, N); 0 when add_months is not used. */
  readonly addMonths: number;
  readonly offsets: readonly OffsetTerm[];
  /** Sum of the offsets in seconds; applied to the instant (DataWorks: 03:00 minus 10 minutes on a DST-start day is 01:50). */
  readonly offsetSeconds: number;
}

export type BusinessDateUnit = 'year' | 'month' | 'day';

/** `${...}`: the business date shifted by `offset` units of its smallest format token, formatted. */
export interface BusinessDatePart {
  readonly kind: 'businessDate';
  readonly source: string;
  readonly format: readonly FormatPart[];
  readonly unit: BusinessDateUnit;
  readonly offset: number;
}

export type SystemParameterName = 'bizdate' | 'cyctime' | 'gmtdate' | 'bizmonth';

export interface SystemParameterPart {
  readonly kind: 'systemParameter';
  readonly source: string;
  readonly name: SystemParameterName;
}

export interface LiteralPart {
  readonly kind: 'literal';
  readonly text: string;
}

export type ExpressionPart = ScheduledTimePart | BusinessDatePart | SystemParameterPart | LiteralPart;

/** A parsed parameter value: the parts are concatenated in order when evaluated. */
export interface SchedulingExpression {
  readonly text: string;
  readonly parts: readonly ExpressionPart[];
}

const TOKENS: readonly FormatToken[] = ['yyyy', 'yy', 'mm', 'mi', 'dd', 'hh24', 'hh12', 'hh', 'ss'];
const DATE_TOKENS: ReadonlySet<FormatToken> = new Set(['yyyy', 'yy', 'mm', 'dd']);
const SYSTEM_PARAMETERS: ReadonlySet<string> = new Set(['bizdate', 'cyctime', 'gmtdate', 'bizmonth']);
const INSTANCE_PARAMETERS: ReadonlySet<string> = new Set(['jobid', 'nodeid', 'taskid']);
const SECONDS_PER_UNIT: Readonly<Record<OffsetUnit, number>> = { day: 86_400, hour: 3_600, minute: 60 };
const MAX_OFFSET_DIGITS = 9;

/** Cursor over the whole expression text so every error can name its index in the original text. */
class Cursor {
  constructor(
    readonly text: string,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  peek(ahead = 0): string {
    const at = this.pos + ahead;
    return at < this.end ? this.text[at] : '';
  }

  startsWith(s: string): boolean {
    return this.pos + s.length <= this.end && this.text.startsWith(s, this.pos);
  }

  fail(problem: string, index = this.pos): never {
    throw new ScheduleExpressionError(this.text, problem, index);
  }
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** Reads `INT ('*' INT)*` and returns the product. */
function readProduct(cur: Cursor): number {
  let product = 1;
  for (;;) {
    const start = cur.pos;
    while (isDigit(cur.peek())) cur.pos++;
    const digits = cur.text.slice(start, cur.pos);
    if (digits.length === 0) cur.fail(`expected a number, found ${describe(cur.peek())}`);
    if (digits.length > MAX_OFFSET_DIGITS) cur.fail(`number ${digits} is too large`, start);
    product *= Number(digits);
    if (!Number.isSafeInteger(product)) cur.fail('offset product is too large', start);
    if (cur.peek() !== '*') return product;
    cur.pos++;
  }
}

function describe(c: string): string {
  return c === '' ? 'the end of the expression' : JSON.stringify(c);
}

/** Reads format tokens and separators up to the first offset sign, ',' or the end of the bracket. */
function readFormat(cur: Cursor, bracket: '$[' | '${'): FormatPart[] {
  const parts: FormatPart[] = [];
  const start = cur.pos;
  while (!cur.done) {
    const c = cur.peek();
    if (c === '+' || c === ',' || c === ')') break;
    if (c === '-' && isDigit(cur.peek(1))) break;
    if (c === '-' || c === ':') {
      if (parts.length === 0 || parts[parts.length - 1].kind === 'separator') cur.fail(`separator ${JSON.stringify(c)} must follow a format token`);
      if (!isLetter(cur.peek(1))) {
        cur.fail(`separator ${JSON.stringify(c)} must be followed by a format token${c === '-' ? ' (or a number, for an offset)' : ''}, found ${describe(cur.peek(1))}`);
      }
      parts.push({ kind: 'separator', text: c });
      cur.pos++;
      continue;
    }
    const token = TOKENS.find((t) => cur.startsWith(t));
    if (token) {
      if (bracket === '${' && !DATE_TOKENS.has(token)) {
        cur.fail(`"${token}" is not available in \${...}: the business date has day precision (use $[...] for hh24, hh, mi, ss)`);
      }
      parts.push({ kind: 'token', token });
      cur.pos += token.length;
      continue;
    }
    if (isLetter(c) && c !== c.toLowerCase()) {
      cur.fail(`unexpected ${JSON.stringify(c)}: format tokens are lower-case (yyyy, yy, mm, dd, hh24, hh, mi, ss)`);
    }
    cur.fail(`unexpected ${describe(c)} in the format; expected one of ${(bracket === '${' ? ['yyyy', 'yy', 'mm', 'dd'] : TOKENS).join(', ')} or the separators '-' and ':'`);
  }
  if (parts.length === 0) cur.fail('the format is empty; expected a token such as yyyymmdd', start);
  return parts;
}

/** Offsets of `$[...]`: `(±N[*M...][/24[/60]])+`. */
function readScheduledOffsets(cur: Cursor): OffsetTerm[] {
  const terms: OffsetTerm[] = [];
  while (!cur.done) {
    const sign = cur.peek();
    if (sign !== '+' && sign !== '-') cur.fail(`unexpected ${describe(sign)}; expected an offset starting with '+' or '-'`);
    cur.pos++;
    const amount = (sign === '-' ? -1 : 1) * readProduct(cur);
    let unit: OffsetUnit = 'day';
    if (cur.peek() === '/') {
      const at = cur.pos;
      if (!cur.startsWith('/24') || isDigit(cur.peek(3))) {
        cur.fail('unsupported divisor: offsets are N (days), N/24 (hours) or N/24/60 (minutes)', at);
      }
      cur.pos += 3;
      unit = 'hour';
      if (cur.peek() === '/') {
        if (!cur.startsWith('/60') || isDigit(cur.peek(3))) {
          cur.fail('unsupported divisor: offsets are N (days), N/24 (hours) or N/24/60 (minutes)', cur.pos);
        }
        cur.pos += 3;
        unit = 'minute';
        if (cur.peek() === '/') cur.fail('unsupported divisor: second offsets are not supported (finest is N/24/60 minutes)', cur.pos);
      }
    }
    terms.push({ amount, unit });
  }
  return terms;
}

function parseScheduledTime(cur: Cursor, source: string): ScheduledTimePart {
  let addMonths = 0;
  let format: FormatPart[];
  if (cur.startsWith('add_months')) {
    cur.pos += 'add_months'.length;
    if (cur.peek() !== '(') cur.fail(`expected "(" after add_months, found ${describe(cur.peek())}`);
    cur.pos++;
    format = readFormat(cur, '$[');
    if (cur.peek() !== ',') cur.fail(`expected "," between the add_months format and its month count, found ${describe(cur.peek())}`);
    cur.pos++;
    let sign = 1;
    if (cur.peek() === '-' || cur.peek() === '+') {
      sign = cur.peek() === '-' ? -1 : 1;
      cur.pos++;
    }
    addMonths = sign * readProduct(cur);
    if (cur.peek() !== ')') cur.fail(`expected ")" to close add_months, found ${describe(cur.peek())}`);
    cur.pos++;
  } else {
    if (/^[a-z_]+\(/.test(cur.text.slice(cur.pos, cur.end))) {
      cur.fail('unknown function; the only function DataWorks supports in $[...] is add_months(format,N)');
    }
    format = readFormat(cur, '$[');
    if (cur.peek() === ',' || cur.peek() === ')') cur.fail(`unexpected ${describe(cur.peek())}`);
  }
  const offsets = readScheduledOffsets(cur);
  const offsetSeconds = offsets.reduce((sum, t) => sum + t.amount * SECONDS_PER_UNIT[t.unit], 0);
  if (!Number.isSafeInteger(offsetSeconds)) cur.fail('offset is too large');
  return { kind: 'scheduledTime', source, format, addMonths, offsets, offsetSeconds };
}

function parseBusinessDate(cur: Cursor, source: string): BusinessDatePart {
  if (cur.startsWith('add_months')) {
    cur.fail('add_months is only supported in $[...]; in ${...} shift months with ${yyyymm-N}');
  }
  if (cur.startsWith('bdp.system.')) {
    cur.fail('${bdp.system.*} is the legacy form; use $bizdate or $cyctime');
  }
  const format = readFormat(cur, '${');
  if (cur.peek() === ',' || cur.peek() === ')') cur.fail(`unexpected ${describe(cur.peek())}`);
  let offset = 0;
  while (!cur.done) {
    const sign = cur.peek();
    if (sign !== '+' && sign !== '-') cur.fail(`unexpected ${describe(sign)}; expected an offset starting with '+' or '-'`);
    cur.pos++;
    offset += (sign === '-' ? -1 : 1) * readProduct(cur);
    if (cur.peek() === '/') {
      cur.fail('hour and minute offsets (N/24, N/24/60) are not supported in ${...}: the business date has day precision; use $[...]');
    }
  }
  const tokens = new Set(format.flatMap((p) => (p.kind === 'token' ? [p.token] : [])));
  const unit: BusinessDateUnit = tokens.has('dd') ? 'day' : tokens.has('mm') ? 'month' : 'year';
  return { kind: 'businessDate', source, format, unit, offset };
}

/** Parses one parameter value. Throws ScheduleExpressionError naming the text, the problem and its index. */
export function parseSchedulingExpression(text: string): SchedulingExpression {
  if (typeof text !== 'string') throw new ScheduleExpressionError(String(text), 'expected a string');
  if (text.length === 0) throw new ScheduleExpressionError(text, 'the value is empty');
  const parts: ExpressionPart[] = [];
  let literal = '';
  const flushLiteral = () => {
    if (literal) parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) throw new ScheduleExpressionError(text, 'whitespace is not allowed in a scheduling parameter value', i);
    if (c === '=') throw new ScheduleExpressionError(text, '"=" is not allowed in a scheduling parameter value', i);
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next === '[' || next === '{') {
      const close = next === '[' ? ']' : '}';
      const end = text.indexOf(close, i + 2);
      if (end < 0) throw new ScheduleExpressionError(text, `"$${next}" is not closed by "${close}"`, i);
      flushLiteral();
      const source = text.slice(i, end + 1);
      const cur = new Cursor(text, i + 2, end);
      parts.push(next === '[' ? parseScheduledTime(cur, source) : parseBusinessDate(cur, source));
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z]+/.exec(text.slice(i + 1))?.[0] ?? '';
    if (SYSTEM_PARAMETERS.has(name)) {
      flushLiteral();
      parts.push({ kind: 'systemParameter', source: `$${name}`, name: name as SystemParameterName });
      i += 1 + name.length;
      continue;
    }
    if (INSTANCE_PARAMETERS.has(name)) {
      throw new ScheduleExpressionError(text, `$${name} identifies a DataWorks instance and has no value outside DataWorks; only time parameters can be evaluated here`, i);
    }
    throw new ScheduleExpressionError(
      text,
      name
        ? `unknown system parameter "$${name}"; supported: $bizdate, $cyctime, $gmtdate, $bizmonth`
        : `"$" must start $[...], \${...} or a system parameter such as $bizdate, found ${describe(next)}`,
      i,
    );
  }
  flushLiteral();
  return { text, parts };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Renders wall-clock fields with DataWorks format tokens. */
export function formatLocalDateTime(fields: LocalDateTime, format: readonly FormatPart[]): string {
  return format
    .map((part) => {
      if (part.kind === 'separator') return part.text;
      switch (part.token) {
        case 'yyyy':
          return pad(fields.year, 4);
        case 'yy':
          return pad(fields.year % 100, 2);
        case 'mm':
          return pad(fields.month, 2);
        case 'dd':
          return pad(fields.day, 2);
        case 'hh24':
          return pad(fields.hour, 2);
        case 'hh12':
        case 'hh':
          return pad(fields.hour % 12 === 0 ? 12 : fields.hour % 12, 2);
        case 'mi':
          return pad(fields.minute, 2);
        case 'ss':
          return pad(fields.second, 2);
      }
    })
    .join('');
}

const CYCTIME_FORMAT: readonly FormatPart[] = ['yyyy', 'mm', 'dd', 'hh24', 'mi', 'ss'].map((token) => ({ kind: 'token', token: token as FormatToken }));
const DATE_FORMAT: readonly FormatPart[] = ['yyyy', 'mm', 'dd'].map((token) => ({ kind: 'token', token: token as FormatToken }));
const MONTH_FORMAT: readonly FormatPart[] = ['yyyy', 'mm'].map((token) => ({ kind: 'token', token: token as FormatToken }));

function toEpochMs(runTime: Date | number, text: string): number {
  const ms = typeof runTime === 'number' ? runTime : runTime instanceof Date ? runTime.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new ScheduleExpressionError(text, `run time ${String(runTime)} is not a valid instant`);
  return ms;
}

function evaluateScheduledTime(part: ScheduledTimePart, runMs: number, timeZone: string, text: string): string {
  let base = runMs;
  if (part.addMonths !== 0) {
    const shifted = addMonthsClamped(localDateTimeAt(runMs, timeZone), part.addMonths);
    const resolved = resolveLocalDateTime(shifted, timeZone);
    if (resolved.kind !== 'unique') {
      const local = formatLocalDateTime(shifted, CYCTIME_FORMAT);
      throw new ScheduleExpressionError(text, `${part.source}: add_months lands on local time ${local}, which ${resolved.kind === 'ambiguous' ? 'occurs twice' : 'does not exist'} in ${timeZone} (daylight saving transition)`);
    }
    base = resolved.epochMs + (runMs - Math.floor(runMs / 1000) * 1000);
  }
  return formatLocalDateTime(localDateTimeAt(base + part.offsetSeconds * 1000, timeZone), part.format);
}

function businessDate(runMs: number, timeZone: string): LocalDateTime {
  const run = localDateTimeAt(runMs, timeZone);
  return addCalendarDays({ ...run, hour: 0, minute: 0, second: 0 }, -1);
}

function evaluateBusinessDate(part: BusinessDatePart, runMs: number, timeZone: string): string {
  const bizdate = businessDate(runMs, timeZone);
  const shifted =
    part.unit === 'day'
      ? addCalendarDays(bizdate, part.offset)
      : addMonthsClamped(bizdate, part.unit === 'month' ? part.offset : part.offset * 12);
  return formatLocalDateTime(shifted, part.format);
}

function evaluateSystemParameter(part: SystemParameterPart, runMs: number, timeZone: string): string {
  const run = localDateTimeAt(runMs, timeZone);
  switch (part.name) {
    case 'bizdate':
      return formatLocalDateTime(businessDate(runMs, timeZone), DATE_FORMAT);
    case 'cyctime':
      return formatLocalDateTime(run, CYCTIME_FORMAT);
    case 'gmtdate':
      return formatLocalDateTime(run, DATE_FORMAT);
    case 'bizmonth': {
      // Documented rule: the business date's month, minus one when it is the run date's month.
      const bizdate = businessDate(runMs, timeZone);
      const sameMonth = bizdate.year === run.year && bizdate.month === run.month;
      return formatLocalDateTime(sameMonth ? addMonthsClamped(bizdate, -1) : bizdate, MONTH_FORMAT);
    }
  }
}

/** Evaluates a parsed expression for a scheduled run at `runTime` (the instance's cyctime) in `timeZone`. */
export function evaluateParsedExpression(expression: SchedulingExpression, runTime: Date | number, timeZone: string): string {
  const runMs = toEpochMs(runTime, expression.text);
  assertTimeZone(timeZone);
  try {
    return expression.parts
      .map((part) => {
        switch (part.kind) {
          case 'literal':
            return part.text;
          case 'scheduledTime':
            return evaluateScheduledTime(part, runMs, timeZone, expression.text);
          case 'businessDate':
            return evaluateBusinessDate(part, runMs, timeZone);
          case 'systemParameter':
            return evaluateSystemParameter(part, runMs, timeZone);
        }
      })
      .join('');
  } catch (err) {
    if (err instanceof ScheduleExpressionError || !(err instanceof ScheduleError)) throw err;
    throw new ScheduleExpressionError(expression.text, err.message);
  }
}

/** Parses and evaluates one parameter value, e.g. `$[yyyymmddhh24-2/24]$[miss-10/24/60]` at 2023-04-23 19:00 → `20230423175000`. */
export function evaluateSchedulingExpression(text: string, runTime: Date | number, timeZone: string): string {
  return evaluateParsedExpression(parseSchedulingExpression(text), runTime, timeZone);
}

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses a DataWorks parameter assignment list, `key=value` pairs separated by whitespace
 * (`startTime=$[...] endTime=$[...]`). Every value is parsed; names must be identifiers and unique.
 * Returns the raw values by name, in order.
 */
export function parseSchedulingParameters(text: string): Map<string, string> {
  return new Map([...parseAssignments(text)].map(([name, expr]) => [name, expr.text]));
}

/** Like parseSchedulingParameters but returns the parsed expressions. */
export function parseAssignments(text: string): Map<string, SchedulingExpression> {
  if (typeof text !== 'string') throw new ScheduleExpressionError(String(text), 'expected a string of key=value pairs');
  const result = new Map<string, SchedulingExpression>();
  const pattern = /\S+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const item = match[0];
    const eq = item.indexOf('=');
    if (eq < 0) throw new ScheduleExpressionError(text, `${JSON.stringify(item)} is not a key=value assignment`, match.index);
    const name = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!PARAMETER_NAME.test(name)) {
      throw new ScheduleExpressionError(text, `parameter name ${JSON.stringify(name)} must start with a letter or '_' and contain only letters, digits and '_'`, match.index);
    }
    if (result.has(name)) throw new ScheduleExpressionError(text, `parameter "${name}" is assigned twice`, match.index);
    if (value.length === 0) throw new ScheduleExpressionError(text, `parameter "${name}" has no value`, match.index + eq + 1);
    try {
      result.set(name, parseSchedulingExpression(value));
    } catch (err) {
      if (!(err instanceof ScheduleExpressionError)) throw err;
      const index = err.index === undefined ? undefined : match.index + eq + 1 + err.index;
      throw new ScheduleExpressionError(text, `parameter "${name}": ${err.problem}`, index);
    }
  }
  return result;
}

/** Parses an assignment list and evaluates every value for one run. */
export function evaluateSchedulingParameters(text: string, runTime: Date | number, timeZone: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const [name, expression] of parseAssignments(text)) result.set(name, evaluateParsedExpression(expression, runTime, timeZone));
  return result;
}
