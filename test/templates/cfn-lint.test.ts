/**
 * Every template cyclops can render passes AWS's cfn-lint with no errors and no warnings:
 * config.example.json plus variants (imported VPC, EC2 capacity with shared NAT, a created hosted zone, external
 * databases, no TLS, created certificate, Redis, no database, worker-only and cron-only apps,
 * an unlisted app on defaults, a known database secret ARN), the platform with the remote builder, and YAML renderings.
 * One cfn-lint call over all files, since each start costs about 2 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderApp, renderCluster, renderPlatform, templateBody, toYaml } from '../../src/plan';
import { fileName, renderAll } from '../../src/plan/all';
import { delivery, example, rawStateful, stateful, variants, withRelease } from './fixtures';
import { findCfnLint } from './cfn-lint-path';


describe('cfn-lint', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cyclops-lint-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes every rendered template with no errors and no warnings', () => {
    const lint = findCfnLint();
    if (!lint) throw new Error('cfn-lint is not on PATH (nor in the pyenv shims); install it with "pip install cfn-lint" — this test does not skip');

    const files: string[] = [];
    const write = (name: string, body: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, body);
      files.push(file);
    };
    for (const r of renderAll(example())) write(`example-${fileName(r)}`, templateBody(r.template));
    const v = variants();
    for (const r of renderAll(v)) write(`variant-${fileName(r)}`, templateBody(r.template));
    for (const env of Object.keys(v.environments)) {
      write(`default-app-${env}.json`, templateBody(renderApp(v, env, 'blog', { port: 29999 })));
    }
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cyclops/acme/staging/shop/database-Ab12Cd';
    write('known-secret-arn.json', templateBody(renderApp(v, 'staging', 'shop', { port: 20001, databaseSecretArn: secretArn })));
    // the stateful options (volumes, sidecars, autoscaling, internal services, allow, alarms), on Fargate and EC2
    for (const r of renderAll(stateful())) write(`stateful-${fileName(r)}`, templateBody(r.template));
    // the same with a release phase everywhere: the HoldTasks parameter and its conditions
    for (const r of renderAll(withRelease(rawStateful()))) write(`held-${fileName(r)}`, templateBody(r.template));
    // the four deployment strategies (rolling, blue-green with test traffic, canary with test traffic and allow, linear)
    for (const r of renderAll(delivery())) write(`delivery-${fileName(r)}`, templateBody(r.template));
    // an environment that adopted the hosted zone an earlier stack of it kept
    write('adopted-zone-cluster.json', templateBody(renderCluster(v, 'delegated', { adoptedZone: { id: 'Z0KEPT', nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'] } })));
    // the platform stack with the remote builder (bootstrap --remote-builder)
    write('platform-remote-builder.json', templateBody(renderPlatform(example(), undefined, { builder: true })));
    const all = renderAll(example());
    write('yaml-cluster-staging.yaml', toYaml(all.find((r) => r.env === 'staging' && r.kind === 'cluster')!.template));
    write('yaml-app-staging-shop.yaml', toYaml(all.find((r) => r.env === 'staging' && r.app === 'shop')!.template));
    expect(files.length).toBeGreaterThan(40);

    const res = spawnSync(lint, ['--format', 'parseable', '--', ...files], { encoding: 'utf8' });
    if (res.error) throw res.error;
    const report = `${res.stdout}${res.stderr}`.trim();
    expect(report).toBe('');
    expect(res.status).toBe(0);
  });
});
