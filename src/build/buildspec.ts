/**
 * The buildspec of a remote build (`deploy --build --remote`): a pure function of the build,
 * passed to StartBuild as buildspecOverride (golden: test/templates/golden/buildspec-*.yml).
 *
 * Inside CodeBuild (a standard image with Docker, privileged mode): log in to ECR with the
 * project role's own credentials (`aws ecr get-login-password`, on a pipe: no password in the
 * buildspec, its log or argv), build for the platform, push, and export the pushed digest as
 * IMAGE_DIGEST (the build's exportedEnvironmentVariables). Every step is in the build phase,
 * so a failed build never pushes (CodeBuild skips the rest of a phase after a failed command).
 * The buildspec format: https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html
 */
export interface RemoteBuildSpec {
  /** repository:tag */
  image: string;
  /** the registry host to log in to (<account>.dkr.ecr.<region>.amazonaws.com) */
  host: string;
  region: string;
  /** linux/amd64 or linux/arm64 */
  platform: string;
  /** the Dockerfile's name in the build context archive */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
}

/** The exported variable that carries the pushed digest. */
export const DIGEST_VARIABLE = 'IMAGE_DIGEST';

/** A word for bash: single-quoted, with any single quote closed, escaped and reopened. */
export const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The buildspec (YAML; each command a JSON-quoted scalar, which YAML reads as written). */
export function renderBuildspec(s: RemoteBuildSpec): string {
  const args = Object.keys(s.buildArgs).sort().flatMap((k) => ['--build-arg', shellWord(`${k}=${s.buildArgs[k]}`)]);
  const image = shellWord(s.image);
  const build = ['docker', 'build', '--platform', s.platform, '--file', shellWord(s.dockerfile), ...(s.target ? ['--target', shellWord(s.target)] : []), ...args, '--tag', image, '.'].join(' ');
  const commands = [
    `aws ecr get-login-password --region ${shellWord(s.region)} | docker login --username AWS --password-stdin ${shellWord(s.host)}`,
    build,
    `docker push ${image}`,
    `${DIGEST_VARIABLE}="$(docker inspect --format '{{index .RepoDigests 0}}' ${image} | sed 's/^.*@//')"`,
    `case "$${DIGEST_VARIABLE}" in sha256:*) echo "pushed ${s.image.replace(/"/g, '')}@$${DIGEST_VARIABLE}" ;; *) echo "no digest for the pushed image" >&2; exit 1 ;; esac`,
  ];
  return [
    'version: 0.2',
    'env:',
    '  shell: bash',
    '  exported-variables:',
    `    - ${DIGEST_VARIABLE}`,
    'phases:',
    '  build:',
    '    commands:',
    ...commands.map((c) => `      - ${JSON.stringify(c)}`),
    '',
  ].join('\n');
}
