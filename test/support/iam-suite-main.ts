/**
 * The whole-suite IAM evaluation as a plain Node program (test/iam-suite/iam-suite.test.ts bundles
 * and runs it: inside jest's module sandbox the simulator runs about three times slower).
 * Usage: node <bundle> <suite log directory>; prints { problems, figures } as JSON on stdout and,
 * with IAM_SUITE_DECISIONS=<file>, writes every decision there.
 */
import { writeFileSync } from 'node:fs';
import { evaluateSuite } from './iam-suite';

evaluateSuite(process.argv[2]).then(
  ({ problems, figures, decisions }) => {
    if (process.env.IAM_SUITE_DECISIONS) writeFileSync(process.env.IAM_SUITE_DECISIONS, JSON.stringify(decisions, null, 1));
    const levels = [...new Set(decisions.map((d) => d.level))].sort();
    const actions = [...new Set(decisions.map((d) => d.req.action))].sort();
    const writes = decisions.filter((d) => d.req.write).length;
    process.stdout.write(JSON.stringify({ problems, figures, levels, actions, writes }));
  },
  (e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
