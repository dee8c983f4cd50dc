/**
 * Jest's order (failed first, then the slowest by the times of earlier runs), except for files it has no time for:
 * Jest runs those by size, largest first, which on a fresh clone (CI) would start the Terraform end-to-end files,
 * the slowest of the suite in small files, among the last, and one worker would finish them alone. Without a
 * recorded time, those go first.
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_SMALL_FILES = /[\\/]__tests__[\\/]managed[\\/]terraform-[^\\/]+\.test\.ts$/;

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const first = sorted.filter(t => t.duration == null && SLOW_SMALL_FILES.test(t.path));
    return [...first, ...sorted.filter(t => !first.includes(t))];
  }
}

module.exports = SlowFirstSequencer;
