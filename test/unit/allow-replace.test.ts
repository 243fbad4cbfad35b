/**
 * --allow-replace reaches the stack engine's ApplyInput (the change-safety guard reads it
 * there: test/unit/stacks-guard.test.ts), from deploy, env create/update and bootstrap
 * (the flags themselves: allow-replace-cli.test.ts).
 */
import { deploy } from '../../src/ops/deploy';
import { applyEnv, bootstrap } from '../../src/ops/env';
import { parseImage } from '../../src/plan/inputs';
import { fakeOps } from './fakes/ops';

const target = { platform: 'acme', env: 'staging', app: 'web' };

describe('ops thread allowReplace to ApplyInput', () => {
  test('deploy, and its dry run', async () => {
    const f = fakeOps();
    await deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') }, { dryRun: true, allowReplace: ['Database'] });
    await deploy(f.ops, { target, image: 'nginx:1.27', ref: parseImage('nginx:1.27') }, { allowReplace: ['Database', 'LogGroup'] });
    expect(f.applied.map((a) => [a.dryRun ?? false, a.allowReplace])).toEqual([
      [true, ['Database']],
      [false, ['Database', 'LogGroup']],
    ]);
  });

  test('env create and bootstrap; without the flag nothing is allowed', async () => {
    const f = fakeOps();
    await applyEnv(f.ops, target, { allowReplace: ['HostedZone'] }, 'create');
    await bootstrap(f.ops, { allowReplace: ['Repository'] });
    await applyEnv(f.ops, target, {}, 'update');
    expect(f.applied.map((a) => [a.stackName, a.allowReplace])).toEqual([
      ['acme-staging', ['HostedZone']],
      ['acme-platform', ['Repository']],
      ['acme-staging', undefined],
    ]);
  });
});
