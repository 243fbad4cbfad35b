/**
 * `deploy --build --remote` over the in-memory fakes (test/unit/fakes/ops.ts) with a fake
 * remote builder: the paths moto cannot show, because its CodeBuild runs nothing and reports
 * every build SUCCEEDED at once: a build that pushes and deploys its digest (the release says
 * builder "codebuild"), a failed build (exit 1 naming the build and its log; nothing
 * deployed), Ctrl-C (StopBuild, exit 130), a digest that disagrees with ECR, and the refusals
 * before any write (no builder: exit 2 naming `bootstrap --remote-builder`; two architectures).
 * The upload, the project, StartBuild and the log stream against moto are in
 * test/integration/build-remote-moto.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildState, StartBuildInput } from '../../src/aws/codebuild';
import { ecrImage } from '../../src/aws/ecr';
import { liveRunner } from '../../src/build/process';
import { buildAndDeploy, type BuildDeployResult, type BuildRequest } from '../../src/ops/build';
import type { BuilderApi } from '../../src/ops/context';
import { failure, fakeImages, fakeOps, testConfig, type Fake } from '../unit/fakes/ops';

const ACCOUNT = '123456789012';
const HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
const URI = `${HOST}/acme/web`;
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const target = { platform: 'acme', env: 'staging', app: 'web' };
const WRITES = /acquireLock|allocatePort|pushTemplate|apply|writeRelease|builder\.(upload|start|stop)/;

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cyclops-remote-'));
});

let n = 0;
/** A git work tree with a committed Dockerfile and a .dockerignore. */
function source(): { dir: string; commit: string } {
  const dir = path.join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(path.join(dir, '.dockerignore'), 'secret.env\n');
  writeFileSync(path.join(dir, 'secret.env'), 'X=1\n');
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim();
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return { dir, commit: git('rev-parse', '--short', 'HEAD') };
}

interface FakeBuilder {
  api: BuilderApi;
  started: StartBuildInput[];
  uploaded: string[];
  stopped: string[];
  /** what each BatchGetBuilds answers, in turn (the last one repeats) */
  states: Partial<BuildState>[];
  log: string[];
}

/** A builder whose build, once started, "pushes" the tag (tags[tag] = DIGEST) and writes `log`. */
function fakeBuilder(f: Fake, tags: Record<string, string>, projects: BuilderApi['projects'] = async () => ({ arm64: 'acme-builder-arm64', x86_64: 'acme-builder-x86_64' })): FakeBuilder {
  const b: FakeBuilder = { started: [], uploaded: [], stopped: [], states: [{ status: 'SUCCEEDED', phase: 'COMPLETED' }], log: ['Step 1/2 : FROM scratch', 'pushed'], api: undefined as unknown as BuilderApi };
  let polls = 0;
  b.api = {
    projects,
    has: async () => false,
    upload: async (key) => {
      f.calls.push('builder.upload');
      b.uploaded.push(key);
    },
    start: async (input) => {
      f.calls.push('builder.start');
      b.started.push(input);
      tags[input.buildspec.match(/--tag '[^']*:([^']+)'/)![1]] = DIGEST;
      return { id: `${input.project}:0f1e2d3c` };
    },
    get: async (id) => ({ id, status: 'IN_PROGRESS', phase: 'BUILD', environment: { type: '', image: '' }, exported: {}, ...b.states[Math.min(polls++, b.states.length - 1)] }) as BuildState,
    stop: async (id) => {
      f.calls.push('builder.stop');
      b.stopped.push(id);
    },
    logs: async (_g, _s, since) => ({ events: b.log.map((message, i) => ({ id: `e${i}`, timestamp: 1000 + i, message, stream: 's' })).filter((e) => e.timestamp >= since) }),
  };
  f.ops.builder = b.api;
  return b;
}

function withEcr(f: Fake, tags: Record<string, string>): void {
  f.ops.images = fakeImages({
    ecr: ecrImage,
    digest: async (_i, tag) => tags[tag] ?? null,
    architectures: async () => ['x86_64'],
    repository: async (name) => (name === 'acme/web' ? { registryId: ACCOUNT, repositoryName: name, uri: `${HOST}/${name}` } : null),
  });
}

const run = (f: Fake, req: Partial<BuildRequest> & { dir: string }) => buildAndDeploy(f.ops, liveRunner, { target, remote: true, pollMs: 1, ...req }) as Promise<BuildDeployResult>;

describe('deploy --build --remote (fakes: what moto cannot run)', () => {
  test('the build runs on the x86_64 project, its log streams, and the digest it pushed deploys; the release says builder "codebuild"', async () => {
    const { dir, commit } = source();
    const f = fakeOps();
    const tags: Record<string, string> = {};
    withEcr(f, tags);
    const b = fakeBuilder(f, tags);
    b.states = [{ phase: 'PROVISIONING' }, { phase: 'BUILD' }, { status: 'SUCCEEDED', phase: 'COMPLETED', exported: { IMAGE_DIGEST: DIGEST } }];
    const r = await run(f, { dir });
    expect(b.started).toHaveLength(1);
    expect(b.started[0]).toMatchObject({ project: 'acme-builder-x86_64', source: `acme-config/${b.uploaded[0]}` });
    expect(b.uploaded[0]).toMatch(/^builds\/web\/[0-9a-f]{64}\.zip$/);
    expect(b.started[0].buildspec).toContain('--platform linux/amd64');
    expect(b.started[0].buildspec).toContain(`--tag '${URI}:${commit}'`);
    expect(f.events.coded('build.remote.log').map((e) => (e.data as { line: string }).line)).toEqual(['Step 1/2 : FROM scratch', 'pushed']);
    expect(f.events.coded('build.remote.phase').map((e) => (e.data as { phase: string }).phase)).toEqual(['PROVISIONING', 'BUILD', 'COMPLETED']);
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe(`${URI}@${DIGEST}`);
    expect(r.imageDigest).toBe(DIGEST);
    expect(f.log.get('staging/web')![0]).toMatchObject({ imageDigest: DIGEST, build: { builder: 'codebuild', tag: commit, commit, dirty: false, reused: false } });
    // one lock for the upload, the build and the deploy, taken before the upload
    expect(f.calls.indexOf('store.acquireLock')).toBeLessThan(f.calls.indexOf('builder.upload'));
    expect(f.calls.filter((c) => c === 'store.acquireLock')).toHaveLength(1);
  });

  test('an arm64 app builds on the arm64 project', async () => {
    const { dir } = source();
    const f = fakeOps(testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 } }, database: false } } }));
    const tags: Record<string, string> = {};
    withEcr(f, tags);
    f.ops.images = { ...f.ops.images!, architectures: async () => ['arm64'] };
    const b = fakeBuilder(f, tags);
    await run(f, { dir });
    expect(b.started[0].project).toBe('acme-builder-arm64');
    expect(b.started[0].buildspec).toContain('--platform linux/arm64');
  });

  test('a failed build is exit 1 naming the build and its log; nothing deployed', async () => {
    const { dir } = source();
    const f = fakeOps();
    const tags: Record<string, string> = {};
    withEcr(f, tags);
    const b = fakeBuilder(f, tags);
    b.states = [{ status: 'FAILED', phase: 'COMPLETED', failure: 'BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: docker build' }];
    const e = await failure(run(f, { dir }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^remote build acme-builder-x86_64:0f1e2d3c failed \(BUILD: COMMAND_EXECUTION_ERROR.*\); nothing was deployed; its log is in CloudWatch Logs group \/cyclops\/acme\/_builder, stream 0f1e2d3c/);
    expect(f.stacks.has('acme-staging-web')).toBe(false);
    expect(f.calls).not.toContain('store.writeRelease');
  });

  test('Ctrl-C during the build calls StopBuild and ends interrupted (exit 130); nothing deployed', async () => {
    const { dir } = source();
    const f = fakeOps();
    const tags: Record<string, string> = {};
    withEcr(f, tags);
    const b = fakeBuilder(f, tags);
    b.states = [{ phase: 'BUILD' }]; // runs until stopped
    const start = b.api.start;
    b.api.start = async (input) => {
      setTimeout(() => f.abort.abort(), 20); // Ctrl-C while the build runs
      return start(input);
    };
    const e = await failure(run(f, { dir }));
    expect(e.exitCode).toBe(130);
    expect(b.stopped).toEqual(['acme-builder-x86_64:0f1e2d3c']);
    expect(e.message).toMatch(/interrupted; the build was stopped and nothing was deployed/);
    expect(f.events.coded('build.remote.stopping')).toHaveLength(1);
    expect(f.stacks.has('acme-staging-web')).toBe(false);
  });

  test('a digest the build exported that ECR does not have under the tag is refused (the tag moved); nothing deployed', async () => {
    const { dir } = source();
    const f = fakeOps();
    const tags: Record<string, string> = {};
    withEcr(f, tags);
    const b = fakeBuilder(f, tags);
    b.states = [{ status: 'SUCCEEDED', phase: 'COMPLETED', exported: { IMAGE_DIGEST: `sha256:${'ef'.repeat(32)}` } }];
    const e = await failure(run(f, { dir }));
    expect({ code: e.exitCode, message: e.message }).toEqual({ code: 1, message: expect.stringMatching(/pushed sha256:efef.*, but .* is sha256:abab.* in ECR now: something else pushed the same tag/) });
    expect(f.stacks.has('acme-staging-web')).toBe(false);
  });

  test('refused with exit 2 before any write: no remote builder (names "cyclops bootstrap --remote-builder"), an app on two architectures', async () => {
    const { dir } = source();
    const f = fakeOps();
    withEcr(f, {});
    fakeBuilder(f, {}, async () => null);
    const e = await failure(run(f, { dir }));
    expect({ code: e.exitCode, message: e.message }).toEqual({ code: 2, message: expect.stringMatching(/^deploy --build --remote: platform acme has no remote builder; an admin adds it once with "cyclops bootstrap --remote-builder"/) });
    expect(f.calls.filter((c) => WRITES.test(c))).toEqual([]);
    const two = fakeOps(testConfig({ apps: { web: { arch: 'arm64', processes: { web: { port: 8080 }, worker: { command: ['w'], arch: 'x86_64' } }, database: false } } }));
    withEcr(two, {});
    fakeBuilder(two, {});
    const e2 = await failure(run(two, { dir }));
    expect({ code: e2.exitCode, message: e2.message }).toEqual({ code: 2, message: expect.stringMatching(/runs on linux\/arm64 and linux\/amd64, and the remote builder builds one architecture per build/) });
    expect(two.calls.filter((c) => WRITES.test(c))).toEqual([]);
  });

  test('a tag already in ECR deploys without a build, and needs no builder', async () => {
    const { dir, commit } = source();
    const f = fakeOps();
    withEcr(f, { [commit]: DIGEST });
    fakeBuilder(f, {}, async () => null);
    const r = await run(f, { dir });
    expect(r.build.existing).toBe(DIGEST);
    expect(f.calls.filter((c) => c.startsWith('builder.'))).toEqual([]);
    expect(f.stacks.get('acme-staging-web')!.parameters.Image).toBe(`${URI}@${DIGEST}`);
  });
});
