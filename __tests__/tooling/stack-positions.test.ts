/**
 * The tests' stack traces (__tests__/support/stack-positions.js, installed by node-environment.js): the project's
 * frames at their TypeScript lines, dependencies' frames as V8 prints them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { SourceMapConsumer } from 'source-map';
import { parseCron } from '../../lib/schedule/cron';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sourceMap, process: transform } = require('../support/esbuild-transform');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { originalPosition, decodeMappings } = require('../support/stack-positions');

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

describe('stack traces of the tests', () => {
  it('give a project frame its line and column in the TypeScript source, not in the transformed code', () => {
    const throwLine = lineOf(CRON, 'throw new CronExpressionError(text, `expected 6 fields');
    const generatedLine = transform(readFileSync(CRON, 'utf8'), CRON).code.split('\n')
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
      const map = JSON.parse(sourceMap(readFileSync(file, 'utf8'), file));
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
});
