/**
 * The local container builders, in the order cyclops picks them: `docker buildx`, `podman`,
 * `buildah` (the first found on PATH). Each is three steps: log in (the password on stdin,
 * never argv), build for the app's platform, push (and write the pushed digest to a file).
 * The command lines are pure functions of the build (test/unit/build-builders.test.ts).
 */
import type { Arch } from '../config/model';
import { usageError } from '../errors';
import type { ProcessRunner } from './process';

export const BUILDERS = ['docker', 'podman', 'buildah'] as const;
export type BuilderName = (typeof BUILDERS)[number];

/** An architecture as a container platform. */
export const platformOf = (arch: Arch | string) => `linux/${arch === 'x86_64' ? 'amd64' : arch}`;

export interface BuildSpec {
  dir: string;
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** linux/amd64, linux/arm64 */
  platforms: string[];
  /** the repository:tag to push */
  image: string;
  /** the registry host to log in to */
  host: string;
  username: string;
  /** a plain-HTTP registry (tests: a local registry) */
  insecure: boolean;
  /** podman and buildah: a private credentials file for this build (removed afterwards) */
  authFile: string;
  /** where the builder writes the pushed digest (docker: its metadata JSON) */
  digestFile: string;
}

export interface Step {
  what: 'login' | 'build' | 'push';
  program: string;
  args: string[];
  /** the step reads the registry password on stdin */
  password?: true;
}

/** The first builder on PATH (docker only with its buildx plugin); null when there is none. */
export async function findBuilder(runner: ProcessRunner): Promise<BuilderName | null> {
  if (runner.which('docker')) {
    const r = await runner.run('docker', ['buildx', 'version']).catch(() => ({ code: 1 }));
    if (r.code === 0) return 'docker';
  }
  if (runner.which('podman')) return 'podman';
  if (runner.which('buildah')) return 'buildah';
  return null;
}

/** Refused before anything runs: several platforms need docker buildx (one multi-platform build and push). */
export function checkPlatforms(builder: BuilderName, platforms: string[]): void {
  if (platforms.length > 1 && builder !== 'docker') {
    throw usageError(`build for ${platforms.join(' and ')}: the app runs on both, and ${builder} builds one platform at a time here; use docker buildx (a multi-platform build), or build each and deploy the image: "cyclops deploy IMAGE APP ENV"`);
  }
}

const buildArgs = (s: BuildSpec) => Object.keys(s.buildArgs).sort().flatMap((k) => ['--build-arg', `${k}=${s.buildArgs[k]}`]);
const common = (s: BuildSpec) => ['--platform', s.platforms.join(','), '--file', s.dockerfile, ...(s.target ? ['--target', s.target] : []), ...buildArgs(s), '--tag', s.image];

export function buildSteps(builder: BuilderName, s: BuildSpec): Step[] {
  if (builder === 'docker') {
    return [
      { what: 'login', program: 'docker', args: ['login', '--username', s.username, '--password-stdin', s.host], password: true },
      { what: 'build', program: 'docker', args: ['buildx', 'build', ...common(s), '--push', '--metadata-file', s.digestFile, '--progress', 'plain', s.dir] },
    ];
  }
  const tls = s.insecure ? ['--tls-verify=false'] : [];
  return [
    { what: 'login', program: builder, args: ['login', '--authfile', s.authFile, ...tls, '--username', s.username, '--password-stdin', s.host], password: true },
    { what: 'build', program: builder, args: ['build', ...common(s), s.dir] },
    { what: 'push', program: builder, args: ['push', '--authfile', s.authFile, ...tls, '--digestfile', s.digestFile, s.image] },
  ];
}

/** The pushed digest from the builder's digest file (docker: the metadata JSON's containerimage.digest). */
export function pushedDigest(builder: BuilderName, text: string): string | null {
  let d = text.trim();
  if (builder === 'docker') {
    try {
      d = (JSON.parse(text) as Record<string, unknown>)['containerimage.digest'] as string;
    } catch {
      return null;
    }
  }
  return typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d) ? d : null;
}
