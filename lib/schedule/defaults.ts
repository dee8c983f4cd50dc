/** Start of the window an hourly run syncs: two hours before the run, at minute 50 (run 19:00 → 17:50). */
export const DEFAULT_START_TIME_EXPRESSION = '$[yyyymmddhh24-2/24]$[miss-10/24/60]';
/** End (exclusive) of the window an hourly run syncs: one hour before the run, at minute 50 (run 19:00 → 18:50). */
export const DEFAULT_END_TIME_EXPRESSION = '$[yyyymmddhh24-1/24]$[miss-10/24/60]';
/** The scheduling parameter list as entered on the DataWorks node. */
export const DEFAULT_SCHEDULING_PARAMETERS = `startTime=${DEFAULT_START_TIME_EXPRESSION} endTime=${DEFAULT_END_TIME_EXPRESSION}`;
/** Every hour on the hour. */
export const DEFAULT_HOURLY_CRON = '00 00 * * * ?';
/** DataWorks interprets schedules and parameters in the workspace time zone. */
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
/** A window must end at least this long before now: stream records become readable with a delay. */
export const DEFAULT_STREAM_LAG_MINUTES = 10;
