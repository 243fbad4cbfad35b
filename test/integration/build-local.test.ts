/**
 * `deploy --build` over the in-memory fakes, with a fake container builder on PATH
 * (test/support/fake-builder/builder.sh, linked as docker, podman or buildah) that records its
 * argv and stdin. It proves the command lines (platform, tag, build args, Dockerfile, stage),
 * that the registry password goes on stdin and never on argv, that the pushed digest is what
 * the stack runs and the release records the build, and the refusals before anything runs.
 * A real builder (buildah) and registry are exercised in test/integration/build-e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ecrImage } from '../../src/aws/ecr';
import { liveRunner } from '../../src/build/process';
import { buildAndDeploy, type BuildDeployResult, type BuildRequest } from '../../src/ops/build';
import { blockedChanges } from '../../src/stacks/guard';
import type { ChangeSummary } from '../../src/stacks';
import { failure, fakeImages, fakeOps, testConfig, type Fake } from '../unit/fakes/ops';

const ACCOUNT = '123456789012';
const HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
const URI = `${HOST}/acme/web`;
const PASSWORD = 'ecr-password-never-on-argv';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OLD = `sha256:${'cd'.repeat(32)}`;
const FAKE = path.resolve(__dirname, '../support/fake-builder/builder.sh');
const which = (p: string) => execFileSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).trim();
const GIT = which('git');
const TOOLS = Object.fromEntries(['git', 'basename', 'cat', 'sleep'].map((t) => [t, which(t)]));
const target = { platform: 'acme', env: 'staging', app: 'web' };

let root: string;
let savedPath: string | undefined;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cyclops-build-unit-'));
  savedPath = process.env.PATH;
});
afterAll(() => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_BUILDER_LOG;
  delete process.env.FAKE_BUILDER_DIGEST;
  delete process.env.FAKE_BUILDER_FAIL;
});

let n = 0;
/** A git work tree with a committed Dockerfile, and PATH holding only git and the fake builders named. */
function setup(builders: string[]): { dir: string; log: string; commit: string } {
  const base = path.join(root, String(++n));
  const dir = path.join(base, 'app');
  const bin = path.join(base, 'bin');
  mkdirSync(dir, { recursive: true });
  mkdirSync(bin);
  // PATH is this directory alone: git, the tools the fake needs, and the builders named (never a real one)
  for (const [name, file] of Object.entries(TOOLS)) symlinkSync(file, path.join(bin, name));
  for (const b of builders) symlinkSync(FAKE, path.join(bin, b));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  const git = (...a: string[]) => execFileSync(GIT, a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  const commit = git('rev-parse', '--short', 'HEAD');
  const log = path.join(base, 'builder.log');
  process.env.PATH = bin;
  process.env.FAKE_BUILDER_LOG = log;
  process.env.FAKE_BUILDER_DIGEST = DIGEST;
  delete process.env.FAKE_BUILDER_FAIL;
  return { dir, log, commit };
}

/** ECR with the app's repository and a tag → digest map. */
function withEcr(f: Fake, tags: Record<string, string> = {}, archs = ['x86_64']): void {
  f.ops.images = fakeImages({
    ecr: ecrImage,
    digest: async (_i, tag) => tags[tag] ?? null,
    architectures: async () => archs,
    repository: async (name) => (name === 'acme/web' ? { registryId: ACCOUNT, repositoryName: name, uri: `${HOST}/${name}` } : null),
    login: async () => {
      f.calls.push('images.login');
      return { username: 'AWS', password: PASSWORD, host: HOST };
    },
  });
}

/** Each builder invocation: program, argv and what it read on stdin. */
function invocations(log: string): { argv: string[]; stdin: string }[] {
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, 'utf8').split('\n');
  const out: { argv: string[]; stdin: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('ARGV ')) out.push({ argv: lines[i].slice(5).split('\t'), stdin: (lines[i + 1] ?? '').replace(/^STDIN /, '') });
  }
  return out;
}

const run = (f: Fake, req: Partial<BuildRequest> & { dir: string }) => buildAndDeploy(f.ops, liveRunner, { target, ...req }) as Promise<BuildDeployResult>;
const stackImage = (f: Fake) => f.stacks.get('acme-staging-web')!.parameters.Image;
const WRITES = /acquireLock|allocatePort|pushTemplate|apply|writeRelease|images.login/;

describe('deploy --build with a local builder', () => {
  test('buildah: login with the password on stdin, build for linux/amd64 with the build args, push, and the pushed digest deploys', async () => {
    const { dir, log, commit } = setup(['buildah']);
    const f = fakeOps();
    withEcr(f);
    const r = await run(f, { dir, buildArgs: { NODE_ENV: 'production', B: '2' }, stage: 'runtime' });
    const calls = invocations(log);
    expect(calls.map((c) => c.argv.slice(0, 2))).toEqual([['buildah', 'login'], ['buildah', 'build'], ['buildah', 'push']]);
    const [login, build, push] = calls;
    // the password only on the login's stdin
    expect(login.stdin).toBe(PASSWORD);
    expect(login.argv).toEqual(expect.arrayContaining(['--password-stdin', '--username', 'AWS', HOST]));
    for (const c of calls) expect(c.argv.join(' ')).not.toContain(PASSWORD);
    expect(build.stdin).toBe('');
    // the tag is the commit; options beyond the defaults add their hash
    expect(r.build.source.tag).toMatch(new RegExp(`^${commit}-o[0-9a-f]{8}$`));
    const image = `${URI}:${r.build.source.tag}`;
    expect(build.argv).toEqual(['buildah', 'build', '--platform', 'linux/amd64', '--file', path.join(dir, 'Dockerfile'), '--target', 'runtime', '--build-arg', 'B=2', '--build-arg', 'NODE_ENV=production', '--tag', image, dir]);
    expect(push.argv.slice(-1)).toEqual([image]);
    expect(push.argv).toContain('--digestfile');
    // what runs is the pushed digest; the release says how it was built
    expect(stackImage(f)).toBe(`${URI}@${DIGEST}`);
    expect(r.imageDigest).toBe(DIGEST);
    expect(f.log.get('staging/web')![0]).toMatchObject({ imageDigest: DIGEST, imageTag: r.build.source.tag, build: { builder: 'buildah', tag: r.build.source.tag, commit, dirty: false, reused: false } });
    expect(f.events.coded('build.log').length).toBeGreaterThan(0);
    expect(JSON.stringify(f.events.events)).not.toContain(PASSWORD);
    // one lock for the build, the push and the deploy, taken before the login
    expect(f.calls.filter((c) => c === 'store.acquireLock')).toHaveLength(1);
    expect(f.calls.indexOf('store.acquireLock')).toBeLessThan(f.calls.indexOf('images.login'));
  });

  test('docker buildx is preferred: one build that pushes, digest from its metadata file; an arm64 app builds linux/arm64', async () => {
    const { dir, log, commit } = setup(['buildah', 'podman', 'docker']);
    const f = fakeOps(testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 } }, database: false } } }));
    withEcr(f, {}, ['arm64']);
    const r = await run(f, { dir });
    const calls = invocations(log).filter((c) => !(c.argv[1] === 'buildx' && c.argv[2] === 'version'));
    expect(calls.map((c) => c.argv.slice(0, 2))).toEqual([['docker', 'login'], ['docker', 'buildx']]);
    expect(calls[0].stdin).toBe(PASSWORD);
    expect(calls[1].argv).toEqual(expect.arrayContaining(['--platform', 'linux/arm64', '--push', '--tag', `${URI}:${commit}`, '--metadata-file']));
    expect(r.build.source.tag).toBe(commit);
    expect(stackImage(f)).toBe(`${URI}@${DIGEST}`);
  });

  test('a dirty tree gets -dirty-<content hash>; the same content gives the same tag, other content another', async () => {
    const { dir } = setup(['podman']);
    const f = fakeOps();
    withEcr(f);
    writeFileSync(path.join(dir, 'hello.txt'), 'changed\n');
    const a = await run(f, { dir });
    expect(a.build.source).toMatchObject({ dirty: true });
    expect(a.build.source.tag).toMatch(/^[0-9a-f]{7,}-dirty-[0-9a-f]{12}$/);
    const again = fakeOps();
    withEcr(again);
    expect((await run(again, { dir })).build.source.tag).toBe(a.build.source.tag);
    writeFileSync(path.join(dir, 'new.txt'), 'untracked\n');
    const other = fakeOps();
    withEcr(other);
    expect((await run(other, { dir })).build.source.tag).not.toBe(a.build.source.tag);
  });

  test('--dry-run: the builder, tag, platform and repository; nothing built, pushed, locked or deployed', async () => {
    const { dir, log, commit } = setup(['podman']);
    const f = fakeOps();
    withEcr(f);
    const r = await buildAndDeploy(f.ops, liveRunner, { target, dir }, { dryRun: true });
    expect(r).toEqual({ build: { builder: 'podman', platforms: ['linux/amd64'], source: { commit, dirty: false, tag: commit, derived: true }, repository: URI, image: `${URI}:${commit}`, existing: null } });
    expect(invocations(log)).toEqual([]);
    expect(f.calls.filter((c) => WRITES.test(c))).toEqual([]);
  });

  test('a tag already in ECR is deployed as it is, never rebuilt (tags never move)', async () => {
    const { dir, log, commit } = setup(['buildah']);
    const f = fakeOps();
    withEcr(f, { [commit]: OLD });
    const r = await run(f, { dir });
    expect(invocations(log)).toEqual([]);
    expect(f.calls).not.toContain('images.login');
    expect(stackImage(f)).toBe(`${URI}@${OLD}`);
    expect(r.build.record).toMatchObject({ reused: true, tag: commit });
    expect(f.events.coded('build.reused')).toHaveLength(1);
  });

  test('a failed build is exit 1 with its last line; nothing deployed; Ctrl-C stops the builder and is exit 130', async () => {
    const { dir } = setup(['buildah']);
    process.env.FAKE_BUILDER_FAIL = 'build';
    const f = fakeOps();
    withEcr(f);
    const e = await failure(run(f, { dir }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^buildah build of .*acme\/web:[0-9a-f]+ failed \(exit 7\): error: fake build failed; /);
    expect(f.stacks.has('acme-staging-web')).toBe(false);
    expect(f.locks.size).toBe(0);

    delete process.env.FAKE_BUILDER_FAIL;
    process.env.FAKE_BUILDER_SLEEP = '5';
    const g = fakeOps();
    withEcr(g);
    const started = Date.now();
    // Ctrl-C once the build step is running (the fake sleeps 5 s in it)
    const emit = g.events.emit.bind(g.events);
    g.events.emit = (e) => {
      emit(e);
      if (e.code === 'build.step' && (e as { data?: { step?: string } }).data?.step === 'build') setTimeout(() => g.abort.abort(), 200);
    };
    const p = failure(run(g, { dir }));
    const i = await p;
    delete process.env.FAKE_BUILDER_SLEEP;
    expect(i.exitCode).toBe(130);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(g.stacks.has('acme-staging-web')).toBe(false);
  });

  test('refused with exit 2 before any write: no builder, no Dockerfile, no git and no --tag, a reserved --tag, no repository', async () => {
    const cases: [string[], (dir: string) => Partial<BuildRequest>, RegExp, (f: Fake) => void][] = [
      [[], () => ({}), /^deploy --build: no container builder on PATH; install Docker \(with buildx\), Podman or Buildah/, () => undefined],
      [['buildah'], (d) => ({ dockerfile: path.join(d, 'Nope') }), /^Dockerfile .*Nope: not found; add one, or name it with --dockerfile$/, () => undefined],
      [['buildah'], () => ({ tag: 'cyclops-staging-1' }), /^--tag "cyclops-staging-1": tags starting with "cyclops-" are the release tags/, () => undefined],
      [['buildah'], () => ({}), /^ECR repository acme\/web: not found; add "web" to apps in config.json and run "cyclops bootstrap"/, (f) => (f.ops.images = fakeImages({ ecr: ecrImage }))],
    ];
    for (const [builders, extra, message, tweak] of cases) {
      const { dir, log } = setup(builders);
      const f = fakeOps();
      withEcr(f);
      tweak(f);
      const e = await failure(run(f, { dir, ...extra(dir) }));
      expect({ code: e.exitCode, message: e.message }).toEqual({ code: 2, message: expect.stringMatching(message) });
      expect(f.calls.filter((c) => WRITES.test(c))).toEqual([]);
      expect(invocations(log)).toEqual([]);
    }
    // outside a git work tree the tag must be given
    const plain = mkdtempSync(path.join(root, 'plain-'));
    writeFileSync(path.join(plain, 'Dockerfile'), 'FROM scratch\n');
    setup(['buildah']);
    const f = fakeOps();
    withEcr(f);
    const e = await failure(run(f, { dir: plain }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/not in a git work tree with a commit, .*give one with --tag/);
    expect((await run(f, { dir: plain, tag: '1.0.0' })).build.source).toEqual({ commit: null, dirty: false, tag: '1.0.0', derived: false });
  });

  test("the deploy's own refusals come before the build: a full port range, a stack of another app, an unknown --count process; nothing built, pushed or locked", async () => {
    const cases: [(f: Fake) => Promise<void> | void, Partial<import('../../src/ops/deploy').DeployOptions>, RegExp][] = [
      [(f) => void (f.ports = { version: 1, range: [20000, 20009], environments: { staging: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`app${i}`, 20000 + i])) } }), {}, /^ports 20000-20009: the range is full in staging/],
      [
        async (f) => {
          withEcr(f, { old: OLD });
          await buildAndDeploy(f.ops, liveRunner, { target, dir: setup(['buildah']).dir, tag: 'old' });
          f.stacks.get('acme-staging-web')!.tags['cyclops:app'] = 'other';
        },
        {},
        /is not web in staging \(its cyclops tags say app "other"/,
      ],
      [() => undefined, { counts: { nope: 2 } }, /nope/],
    ];
    for (const [tweak, opts, message] of cases) {
      const f = fakeOps();
      await tweak(f);
      const { dir, log } = setup(['buildah']);
      withEcr(f);
      f.calls.length = 0;
      const e = await failure(buildAndDeploy(f.ops, liveRunner, { target, dir }, opts));
      expect({ code: e.exitCode, message: e.message }).toEqual({ code: 2, message: expect.stringMatching(message) });
      expect(f.calls.filter((c) => WRITES.test(c))).toEqual([]);
      expect(invocations(log)).toEqual([]);
    }
  });

  test('a stateful resource the update would replace is refused before the build: exit 2, nothing built, pushed, locked or changed; --allow-replace lets it through', async () => {
    const f = fakeOps();
    withEcr(f, { old: OLD });
    await buildAndDeploy(f.ops, liveRunner, { target, dir: setup(['buildah']).dir, tag: 'old' });
    // The fake's change set reports what CloudFormation's would for this update: the app's
    // file system replaced (moto's change sets carry no Replacement); the guard's rule over
    // such rows is src/stacks/guard.ts, tested in test/unit/stacks-guard.test.ts.
    const apply = f.ops.stacks.apply;
    f.ops.stacks.apply = async (input) => {
      const r = await apply(input);
      if (!input.dryRun) return r;
      const rows = [{ action: 'Modify', logicalId: 'WebDataFileSystem', resourceType: 'AWS::EFS::FileSystem', replacement: 'True', details: [{ attribute: 'Properties', name: 'Encrypted', requiresRecreation: 'Always' }] }] as ChangeSummary[];
      const blocked = blockedChanges(rows, input.allowReplace);
      return { ...r, changes: rows, ...(blocked.length ? { blocked } : {}) };
    };
    const { dir, log } = setup(['buildah']);
    f.calls.length = 0;
    f.applied.length = 0;
    const before = stackImage(f);
    const e = await failure(run(f, { dir }));
    expect({ code: e.exitCode, message: e.message }).toEqual({ code: 2, message: expect.stringMatching(/^stack acme-staging-web: the update would replace a stateful resource: WebDataFileSystem \(AWS::EFS::FileSystem, replace\); nothing was changed/) });
    expect(e.details).toEqual([expect.stringContaining('--allow-replace WebDataFileSystem')]);
    // the verdict came from a dry-run change set alone: no lock, no login, no build, no push, no stack change
    expect(f.applied.map((a) => a.dryRun)).toEqual([true]);
    expect(f.calls.filter((c) => /acquireLock|allocatePort|writeRelease|images.login/.test(c))).toEqual([]);
    expect(invocations(log)).toEqual([]);
    expect(stackImage(f)).toBe(before);
    // named with --allow-replace, the build runs and its digest deploys
    const ok = (await buildAndDeploy(f.ops, liveRunner, { target, dir }, { allowReplace: ['WebDataFileSystem'] })) as BuildDeployResult;
    expect(invocations(log).map((c) => c.argv[1])).toEqual(['login', 'build', 'push']);
    expect(stackImage(f)).toBe(`${URI}@${DIGEST}`);
    expect(ok.imageDigest).toBe(DIGEST);
  });

  test('an app on two architectures needs docker buildx; podman is refused with exit 2 before anything runs', async () => {
    const { dir, log } = setup(['podman']);
    const f = fakeOps(testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 }, worker: { command: ['w'], arch: 'x86_64' } }, database: false } } }));
    withEcr(f);
    const e = await failure(run(f, { dir }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^build for linux\/arm64 and linux\/amd64: the app runs on both, and podman builds one platform at a time here/);
    expect(invocations(log)).toEqual([]);
  });
});
