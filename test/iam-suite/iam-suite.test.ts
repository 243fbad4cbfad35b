/**
 * The operator policies, proven over everything the integration suite made cyclops do.
 *
 * Every moto proxy of the integration run recorded each request it saw, and every cyclops run of
 * the test runners recorded its arguments and its config (test/support/suite-log.ts; the run's id
 * travels in the SDK's user agent). Here each request of a cyclops run is decided by
 * @cloud-copilot/iam-simulate against the policies `iam-policy --for <level>` renders for that run's
 * config in the account its credentials act in (test/support/iam-suite.ts): allowed at the
 * command's level (src/iam/commands.ts) and every level above, and every write denied at `read`.
 *
 * Not judged, and counted in the figures: the tests' own requests (set-up and checks through the
 * SDK, without cyclops's user agent), sts:GetCallerIdentity (needs no permission), and what the
 * named rules of EXCLUDED leave out, each with its reason.
 *
 * Runs after the integration project (`npm test`; alone: `npm run test:iam-suite`, or
 * CYCLOPS_SUITE_LOG=<directory> over a kept log). IAM_SUITE_DECISIONS=<file> writes every decision there.
 */
import { writeFileSync } from 'node:fs';
import { evaluateSuite, EXCLUDED } from '../support/iam-suite';
import { DEFAULT_SUITE_LOG } from '../support/suite-log';

const dir = process.env.CYCLOPS_SUITE_LOG || DEFAULT_SUITE_LOG;

test('every request cyclops made in the integration suite is allowed at its command level and above, and read denies every write', async () => {
  const { problems, decisions, figures } = await evaluateSuite(dir);
  process.stderr.write(`iam-suite (${dir}): ${JSON.stringify(figures)}\n`);
  if (process.env.IAM_SUITE_DECISIONS) writeFileSync(process.env.IAM_SUITE_DECISIONS, JSON.stringify(decisions, null, 1));
  expect(problems).toEqual([]);
  // the log is a whole suite's, not a stray file's: every level's commands were judged, writes among them
  expect(new Set(decisions.map((d) => d.level))).toEqual(new Set(['admin', 'deploy', 'read']));
  expect(decisions.filter((d) => d.req.write).length).toBeGreaterThan(0);
  expect(decisions.map((d) => d.req.action)).toEqual(expect.arrayContaining(['iam:PassRole', 'cloudformation:CreateChangeSet', 's3:PutObject', 'ecs:UpdateService', 'secretsmanager:CreateSecret']));
  // each exclusion rule still excludes something: a rule nothing needs goes
  for (const e of EXCLUDED) expect({ rule: e.name, excluded: (figures.excluded as Record<string, number>)[e.name] > 0 }).toEqual({ rule: e.name, excluded: true });
});
