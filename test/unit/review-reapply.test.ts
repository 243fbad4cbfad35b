/**
 * Review of the merged release log: records written by rollback and scale (which re-apply a
 * stored release), the service role on every stack operation, and settings changes that must
 * re-apply the image the current release runs. Over the in-memory fakes.
 */
import { ecrImage } from '../../src/aws/ecr';
import type { ImagesApi } from '../../src/ops/context';
import { deploy } from '../../src/ops/deploy';
import { parseImage } from '../../src/plan/inputs';
import { rollback } from '../../src/ops/rollback';
import { scale } from '../../src/ops/scale';
import { setSecret } from '../../src/ops/secrets';
import { setVars } from '../../src/ops/vars';
import { usageError } from '../../src/errors';
import { failure, fakeImages, fakeOps, testConfig, type Fake } from './fakes/ops';

const t = { platform: 'acme', env: 'staging', app: 'web' };
const ship = (f: Fake, image: string) => deploy(f.ops, { target: t, image, ref: parseImage(image) });
const log = (f: Fake) => f.log.get('staging/web') ?? [];
const ROLE = 'arn:aws:iam::123456789012:role/acme-cloudformation';

describe('records written by rollback and scale', () => {
  test('a rollback record says who ran it, when and how long it took, not what the target release said', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    await rollback(f.ops, t);
    const [v1, v2, back] = log(f);
    expect(back).toMatchObject({ number: 3, kind: 'rollback', target: 1 });
    // The rollback started after release 2 ended; a copy of release 1's times would be older.
    expect(Date.parse(back.deployedAt)).toBeGreaterThan(Date.parse(v2.deployedAt));
    expect(back.deployedAt).not.toBe(v1.deployedAt);
    expect(back.finishedAt).not.toBe(v1.finishedAt);
  });

  test('a scale record has its own time and no rollback target inherited from the current release', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    await rollback(f.ops, t); // release 3: kind rollback, target 1
    await scale(f.ops, t, { counts: { web: 2 } });
    const [, , back, scaled] = log(f);
    expect(scaled).toMatchObject({ number: 4, kind: 'scale', counts: { web: 2 } });
    // `cyclops releases` shows "scale to 1" when the scale record keeps the rollback's target.
    expect(scaled.target).toBeUndefined();
    expect(Date.parse(scaled.deployedAt)).toBeGreaterThan(Date.parse(back.deployedAt));
  });
});

describe('the CloudFormation service role', () => {
  test('rollback and scale update the app stack as the service role, like deploy does', async () => {
    const f = fakeOps();
    f.stacks.set('acme-platform', { name: 'acme-platform', id: 'p', status: 'CREATE_COMPLETE', outputs: { ServiceRoleArn: ROLE }, parameters: {}, tags: {} });
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    expect(f.applied.map((a) => a.roleArn)).toEqual([ROLE, ROLE]);
    await rollback(f.ops, t);
    await scale(f.ops, t, { counts: { web: 2 } });
    expect(f.applied.map((a) => a.roleArn)).toEqual([ROLE, ROLE, ROLE, ROLE]);
  });
});

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** ECR with a tag → digest map that a test can move (a tag pushed again). */
function withEcr(f: Fake, tags: Record<string, string>): void {
  const images: ImagesApi = fakeImages({ ecr: ecrImage, digest: async (_i, tag) => tags[tag] ?? null, architectures: async () => ['x86_64'] });
  f.ops.images = images;
}

describe('settings changes re-apply the image the current release runs', () => {
  // A settings change is not a new image: when the tag has moved in ECR since the deploy
  // (a CI push of :main, :latest), vars set / secrets set must keep the digest that runs.
  test('vars set keeps the deployed digest after the tag moved in ECR', async () => {
    const f = fakeOps();
    const tags = { main: D1 };
    withEcr(f, tags);
    await ship(f, `${REPO}:main`);
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe(`${REPO}@${D1}`);
    tags.main = D2; // someone pushed :main again, nothing deployed it
    await setVars(f.ops, t, { FOO: 'bar' });
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe(`${REPO}@${D1}`);
    expect(log(f)[1]).toMatchObject({ kind: 'vars', imageDigest: D1 });
  });

  test('secrets set keeps the deployed digest after the tag moved in ECR', async () => {
    const f = fakeOps();
    const tags = { main: D1 };
    withEcr(f, tags);
    await ship(f, `${REPO}:main`);
    tags.main = D2;
    await setSecret(f.ops, t, 'API_TOKEN', 'value-from-stdin-1');
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe(`${REPO}@${D1}`);
  });
});

describe('a refused stack change writes nothing', () => {
  // The change-safety guard refuses inside the stack engine, after the change set is read and
  // before it runs (exit 2: nothing was touched). The deploy must not append a failed release
  // for a change that never happened.
  test('deploy: a guard refusal (exit 2) leaves the release log as it was', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    f.onCall('stacks.apply', () => {
      throw usageError('stack acme-staging-web: the change would replace Volume (AWS::EFS::FileSystem); pass --allow-replace Volume');
    });
    const e = await failure(ship(f, 'nginx:2'));
    expect(e.exitCode).toBe(2);
    expect(log(f).map((r) => [r.number, r.outcome])).toEqual([[1, 'succeeded']]);
    expect(f.locks.size).toBe(0);
  });

  test('rollback: a guard refusal (exit 2) leaves the release log as it was', async () => {
    const f = fakeOps();
    await ship(f, 'nginx:1');
    await ship(f, 'nginx:2');
    f.onCall('stacks.apply', () => {
      throw usageError('stack acme-staging-web: the change would remove Volume (AWS::EFS::FileSystem); pass --allow-replace Volume');
    });
    const e = await failure(rollback(f.ops, t));
    expect(e.exitCode).toBe(2);
    expect(log(f).map((r) => r.number)).toEqual([1, 2]);
  });
});

describe('the release phase and the change-safety guard', () => {
  // The release phase (migrations) runs inside the stack engine's update, after the change set
  // is described and the guard let it through, and before it is executed (ApplyInput.
  // beforeExecute): a deploy the guard refuses (exit 2, "nothing was touched") never migrates.
  test('a deploy that the guard refuses never starts the release command', async () => {
    const f = fakeOps(testConfig({ apps: { web: { processes: { web: { port: 8080 }, release: { command: ['migrate'] } }, database: false } } }));
    await ship(f, 'nginx:1'); // first deploy: the phase is skipped (no stack yet)
    f.onCall('stacks.apply', () => {
      throw usageError('stack acme-staging-web: the change would replace Volume (AWS::EFS::FileSystem); pass --allow-replace Volume');
    });
    const e = await failure(ship(f, 'nginx:2'));
    expect(e.exitCode).toBe(2);
    expect(f.calls).toContain('stacks.apply');
    expect(f.calls.filter((c) => c.startsWith('tasks.'))).toEqual([]); // no release task registered or started
  });
});
