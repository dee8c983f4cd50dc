/**
 * Backfill progress: a one-line bar redrawn in place when stderr is a terminal, JSON log lines otherwise (a
 * scheduler's log must stay parseable).
 */
import type { Logger } from '../../common/log';

export interface WindowProgress {
  readonly index: number;
  readonly total: number;
  readonly startTime: string;
  readonly endTime: string;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly records?: number;
  readonly bytes?: number;
  readonly elapsedMs?: number;
}

export interface ProgressReporter {
  begin(total: number, alreadyFinished: number): void;
  window(progress: WindowProgress): void;
  end(summary: { done: number; skipped: number; failed: number; elapsedMs: number }): void;
}

/** Writes `{"msg":"backfill window", ...}` lines through the logger. */
export class LogProgressReporter implements ProgressReporter {
  constructor(private readonly log: Logger) {}
  begin(total: number, alreadyFinished: number): void {
    this.log.info('backfill started', { windows: total, alreadyFinished });
  }
  window(p: WindowProgress): void {
    (p.status === 'failed' ? this.log.error.bind(this.log) : this.log.info.bind(this.log))('backfill window', { ...p });
  }
  end(summary: { done: number; skipped: number; failed: number; elapsedMs: number }): void {
    this.log.info('backfill finished', summary);
  }
}

export interface TtyLike {
  write(chunk: string): unknown;
  readonly columns?: number;
}

/** `[██████░░░░░░] 12/24 windows  20230423175000→20230423185000  1,234,567 records  ETA 3m10s` */
export class BarProgressReporter implements ProgressReporter {
  private total = 0;
  private completed = 0;
  private records = 0;
  private startedAt = 0;

  constructor(
    private readonly tty: TtyLike,
    private readonly now: () => number = Date.now,
  ) {}

  begin(total: number): void {
    this.total = total;
    this.startedAt = this.now();
    this.draw('');
  }

  window(p: WindowProgress): void {
    this.completed = p.index + 1;
    this.records += p.records ?? 0;
    if (p.status === 'failed') {
      this.tty.write(`\r\x1b[2Kwindow ${p.startTime}→${p.endTime} failed\n`);
    }
    this.draw(`${p.startTime}→${p.endTime}`);
  }

  end(summary: { done: number; skipped: number; failed: number; elapsedMs: number }): void {
    this.draw('');
    this.tty.write(`\n${summary.done} synced, ${summary.skipped} skipped (already finished), ${summary.failed} failed in ${formatDuration(summary.elapsedMs)}\n`);
  }

  private draw(current: string): void {
    const width = 24;
    const fraction = this.total === 0 ? 1 : this.completed / this.total;
    const filled = Math.round(fraction * width);
    const elapsed = this.now() - this.startedAt;
    const eta = this.completed > 0 && this.completed < this.total ? ` ETA ${formatDuration((elapsed / this.completed) * (this.total - this.completed))}` : '';
    let line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${this.completed}/${this.total} windows  ${current}  ${this.records.toLocaleString('en-US')} records${eta}`;
    const cols = this.tty.columns ?? 120;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.tty.write(`\r\x1b[2K${line}`);
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
