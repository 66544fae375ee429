// Prints jest's own totals as one line, `N passed, N failed`, which CI reads. With JEST_COUNT_FILE
// set, the line is also written there, so .ci/run can repeat it as the very last line of its output.
const { writeFileSync } = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.JEST_COUNT_FILE) writeFileSync(process.env.JEST_COUNT_FILE, `${line}\n`);
  }
}
module.exports = CountReporter;
