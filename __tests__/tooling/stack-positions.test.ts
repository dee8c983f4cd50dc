/**
 * The tests' stack traces (__tests__/support/stack-positions.js, installed by node-environment.js): the project's
 * frames at their TypeScript lines, dependencies' frames as V8 prints them.
 * Also: what Jest prints of a test's values, with its helper packages shared by the worker (support/runtime.js).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { SourceMapConsumer } from 'source-map';
import { parseCron } from '../../lib/schedule/cron';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sourceMap, process: transform } = require('../support/esbuild-transform');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { originalPosition, decodeMappings, useCacheDirectory } = require('../support/stack-positions');

const CRON = path.join(__dirname, '../../lib/schedule/cron.ts');
const lineOf = (file: string, text: string): number => readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes(text)) + 1;

function stackOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return (err as Error).stack!.split('\n');
  }
  throw new Error('expected a throw');
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'otsbk-maps-'));
  useCacheDirectory(scratch); // this file's own copy of the module, beside the one the environment installed
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('stack traces of the tests', () => {
  it('give a project frame its line and column in the TypeScript source, not in the transformed code', () => {
    const throwLine = lineOf(CRON, 'throw new CronExpressionError(text, `expected 6 fields');
    const generatedLine = transform(readFileSync(CRON, 'utf8'), CRON, { config: { cacheDirectory: scratch } }).code.split('\n')
      .findIndex((l: string) => l.includes('expected 6 fields (')) + 1;
    expect(generatedLine).toBeGreaterThan(0);
    expect(generatedLine).not.toBe(throwLine); // else this test could not tell mapped from unmapped

    const stack = stackOf(() => parseCron('bad')); // [stack-positions: this line]
    expect(stack[0]).toBe('CronExpressionError: Invalid cron expression "bad": expected 6 fields (second minute hour day-of-month month day-of-week), found 1');
    expect(stack[1]).toBe(`    at parseCron (${CRON}:${throwLine}:11)`);
    expect(stack[2]).toContain(`${__filename}:${lineOf(__filename, '[stack-positions: this line]')}:`);
  });

  it('print dependency frames as V8 prints them', () => {
    const stack = stackOf(() => Testing.synthScope(() => { throw new Error('inside a scope'); }));
    expect(stack.some(l => /^    at Testing\.synthScope \(.*[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]testing[\\/]index\.js:\d+:\d+\)$/.test(l))).toBe(true);
  });

  it('decode every position of a map as the source-map library does', async () => {
    for (const file of [CRON]) {
      const map = JSON.parse(sourceMap(scratch, file, readFileSync(file, 'utf8')));
      const consumer = await new SourceMapConsumer(map);
      const rows: number[][] = decodeMappings(map.mappings);
      const ours: string[] = [];
      const library: string[] = [];
      rows.forEach((row, i) => {
        for (let k = 0; k < row.length; k += 3) {
          for (const column of [row[k], row[k] + 1]) { // a segment's start, and inside it
            const at = `${i + 1}:${column} -> `;
            const position = originalPosition(file, i + 1, column + 1);
            const expected = consumer.originalPositionFor({ line: i + 1, column });
            ours.push(at + (position ? `${position.line}:${position.column - 1}` : 'none'));
            library.push(at + (expected.line == null ? 'none' : `${expected.line}:${expected.column}`));
          }
        }
      });
      expect(ours.length).toBeGreaterThan(500);
      expect(ours).toEqual(library);
    }
  });

  it('read the map the transform kept, and make it anew when it is not kept', () => {
    const source = readFileSync(CRON, 'utf8');
    const made = sourceMap(scratch, CRON, source);
    const [kept] = readdirSync(path.join(scratch, 'otsbk-source-maps'));
    expect(readFileSync(path.join(scratch, 'otsbk-source-maps', kept), 'utf8')).toBe(made);
    expect(JSON.parse(made).sources).toEqual([CRON]);
    // What the transform returns to Jest and what it keeps are one map.
    rmSync(path.join(scratch, 'otsbk-source-maps'), { recursive: true });
    const { map } = transform(source, CRON, { config: { cacheDirectory: scratch } });
    expect(readFileSync(path.join(scratch, 'otsbk-source-maps', kept), 'utf8')).toBe(map);
    expect(map).toBe(made);
    // A kept map is read, not made again.
    writeFileSync(path.join(scratch, 'otsbk-source-maps', kept), '{"mappings":"AAAA"}');
    expect(sourceMap(scratch, CRON, source)).toBe('{"mappings":"AAAA"}');
    expect(sourceMap(scratch, CRON, `${source}\n`)).not.toBe('{"mappings":"AAAA"}');
  });
});

describe('the runtime sharing Jest\'s helper packages (support/runtime.js)', () => {
  it('leaves printing in the sandbox: a test\'s Error, Date and Map print in matcher messages as Jest prints them', () => {
    const received = { error: new Error('boom'), when: new Date(0), seen: new Map([['k', 1]]) };
    let message = '';
    try {
      expect(received).toEqual({});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('"error": [Error: boom]');
    expect(message).toContain('"when": 1970-01-01T00:00:00.000Z');
    expect(message).toContain('"seen": Map {');
  });
});
