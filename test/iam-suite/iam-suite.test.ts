/**
 * The operator policies, proven over everything the integration suite made cyclops do.
 *
 * Every moto proxy of the integration run recorded each request it saw, and every cyclops run of
 * the test runners recorded its arguments and its config (test/support/suite-log.ts; the run's id
 * travels in the SDK's user agent). Here each request of a cyclops run is decided by
 * @cloud-copilot/iam-simulate against the policies `iam-policy --for <level>` renders for that run's
 * config in the account its credentials act in (test/support/iam-suite.ts): allowed at the
 * command's level (src/iam/commands.ts) and every level above, and every write denied at `read`
 * (but READ_WRITES, each with its reason).
 *
 * Not judged, and counted in the figures: the tests' own requests (set-up and checks through the
 * SDK, without cyclops's user agent), sts:GetCallerIdentity (needs no permission), and what the
 * named rules of EXCLUDED leave out, each with its reason. No test runs a command at too low a
 * level on purpose (moto evaluates no IAM), so no denial is expected.
 *
 * Runs after the integration project (`npm test`; alone: `npm run test:iam-suite`, or
 * CYCLOPS_SUITE_LOG=<directory> over a kept log). The evaluation runs as a plain Node program
 * (test/support/iam-suite-main.ts, bundled here): jest's module sandbox slows the simulator about
 * threefold. IAM_SUITE_DECISIONS=<file> writes every decision there.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { EXCLUDED } from '../support/iam-suite';
import { DEFAULT_SUITE_LOG } from '../support/suite-log';

const dir = process.env.CYCLOPS_SUITE_LOG || DEFAULT_SUITE_LOG;
// inside the repository (node_modules/.cache), so the bundle finds the packages it leaves out
const root = path.join(__dirname, '../..');
const out = path.join(root, 'node_modules/.cache/cyclops-iam-suite');
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('every request cyclops made in the integration suite is allowed at its command level and above, and read denies every write', () => {
  const program = path.join(out, 'iam-suite.js');
  buildSync({ entryPoints: [path.join(__dirname, '../support/iam-suite-main.ts')], bundle: true, platform: 'node', packages: 'external', outfile: program, logLevel: 'warning', define: { CYCLOPS_VERSION: '"test"' } });
  const run = spawnSync(process.execPath, [program, dir], { encoding: 'utf8', cwd: root, maxBuffer: 64 * 1024 * 1024 });
  expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  const { problems, figures, levels, actions, writes } = JSON.parse(run.stdout);
  process.stderr.write(`iam-suite (${dir}): ${JSON.stringify(figures)}\n`);
  expect(problems).toEqual([]);
  // the log is a whole suite's, not a stray file's: every level's commands were judged, writes among them
  expect(levels).toEqual(['admin', 'deploy', 'read']);
  expect(writes).toBeGreaterThan(0);
  expect(actions).toEqual(expect.arrayContaining(['iam:PassRole', 'cloudformation:CreateChangeSet', 's3:PutObject', 'ecs:UpdateService', 'secretsmanager:CreateSecret', 'iam:GetUser']));
  // each exclusion rule still excludes something: a rule nothing needs goes
  for (const e of EXCLUDED) expect({ rule: e.name, excluded: figures.excluded[e.name] > 0 }).toEqual({ rule: e.name, excluded: true });
});
