/** Base class of every error this module throws, so callers can catch schedule problems as one family. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A DataWorks scheduling expression (`$[...]`, `${...}`, `$bizdate`, ...) or parameter list that is malformed or cannot be evaluated. */
export class ScheduleExpressionError extends ScheduleError {
  constructor(
    /** The full text that was being parsed or evaluated. */
    readonly expression: string,
    /** What is wrong, without the expression prefix. */
    readonly problem: string,
    /** 0-based index into `expression` where the problem starts, when known. */
    readonly index?: number,
  ) {
    super(`Invalid scheduling expression ${JSON.stringify(expression)}: ${problem}${index === undefined ? '' : ` (at index ${index})`}`);
  }
}

/** A DataWorks 6-field cron expression that is malformed; names the field and the offending value. */
export class CronExpressionError extends ScheduleError {
  constructor(
    readonly cron: string,
    readonly problem: string,
    /** Field name (second, minute, hour, day-of-month, month, day-of-week) when the problem is in one field. */
    readonly field?: string,
    /** The offending text of that field. */
    readonly value?: string,
  ) {
    super(`Invalid cron expression ${JSON.stringify(cron)}: ${problem}`);
  }
}

/** A `yyyyMMddHHmmss` window time that is malformed, not a real calendar instant, or ambiguous in its time zone. */
export class WindowTimeError extends ScheduleError {
  constructor(
    readonly value: string,
    readonly problem: string,
  ) {
    super(`Invalid window time ${JSON.stringify(value)}: ${problem}`);
  }
}

/** A window refused by `validateWindow`; `problems` lists every rule it breaks. */
export class WindowValidationError extends ScheduleError {
  constructor(readonly problems: readonly string[]) {
    super(`Refusing sync window: ${problems.join('; ')}`);
  }
}

/** An IANA time zone name that Intl does not know, or an instant outside the supported range. */
export class TimeZoneError extends ScheduleError {}
