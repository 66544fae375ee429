// The hand-kept part of BENCHMARKS.md: what each section measures, how, and what it decided.
// The tables are generated from the run; these words are not, so keep them true when the code changes.

export const notes = { fanOut: 'TODO', throughput: 'TODO', coldStart: 'TODO' };
