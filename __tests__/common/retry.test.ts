import { equalJitterDelay, FailureKind, retryLine, withRetry } from '../../lib/common/retry';

const policy = { attempts: 4, baseDelayMs: 100, throttleBaseDelayMs: 500, maxDelayMs: 1000 };

describe('shared retry loop', () => {
  test('equal jitter: at least half the step, at most the step; throttled failures start from the throttle base', () => {
    expect([1, 2, 3].map(n => equalJitterDelay(policy, n, 'server', () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map(n => equalJitterDelay(policy, n, 'throttled', () => 1))).toEqual([500, 1000, 1000]);
    expect(equalJitterDelay({ attempts: 2, baseDelayMs: 40, maxDelayMs: 1000 }, 1, 'throttled', () => 1)).toBe(40);
  });

  test('retries what the caller classifies as transient, stops on fatal, and waits the computed delays', async () => {
    const waits: number[] = [];
    const kinds: FailureKind[] = ['throttled', 'network', 'fatal'];
    let calls = 0;
    await expect(withRetry(async () => {
      throw Object.assign(new Error(`boom ${calls++}`), { kind: kinds[calls - 1] });
    }, { policy, classify: e => (e as { kind: FailureKind }).kind, random: () => 0, sleep: async ms => { waits.push(ms); } })).rejects.toThrow('boom 2');
    expect(waits).toEqual([250, 100]);
  });

  test('gives up after the policy\'s attempts and reports each retry', async () => {
    const lines: string[] = [];
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new Error('down'); }, {
      policy, classify: () => 'server', random: () => 1, sleep: async () => undefined,
      onRetry: event => lines.push(retryLine('Thing', policy, event)),
    })).rejects.toThrow('down');
    expect(calls).toBe(4);
    expect(lines).toEqual(['Thing: server failure (down); retry 1/3 in 100 ms', 'Thing: server failure (down); retry 2/3 in 200 ms', 'Thing: server failure (down); retry 3/3 in 400 ms']);
  });

  test('recover after an ambiguous failure returns what the first attempt did', async () => {
    let calls = 0;
    const result = await withRetry(async () => { calls++; throw new Error('reset'); }, {
      policy, classify: () => 'network', sleep: async () => undefined, recover: async () => 'created',
    });
    expect(result).toBe('created');
    expect(calls).toBe(1);
  });

  test('an abort during the wait ends the loop with the caller\'s error', async () => {
    const controller = new AbortController();
    const run = withRetry(async () => { throw new Error('busy'); }, {
      policy: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, classify: () => 'throttled', signal: controller.signal,
      abortError: reason => new Error(`stopped: ${String(reason)}`),
    });
    setImmediate(() => controller.abort('shutdown'));
    await expect(run).rejects.toThrow('stopped: shutdown');
  });
});
