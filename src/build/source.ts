/**
 * What a build is made from, and the tag its image gets. Tags never move: the tag names the
 * source, so a tag already in ECR is that very build (deployed again, not rebuilt).
 *
 *   <commit>                       a clean tree: `git rev-parse --short HEAD`
 *   <commit>-dirty-<hash>          uncommitted changes in the build context: their content's sha256 (12 hex)
 *   …-o<hash>                      with --dockerfile (another than DIR/Dockerfile), --target or --build-arg:
 *                                  those options' sha256 (8 hex), so other options are another image
 *   --tag                          as given
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors';
import { IMAGE_TAG_PREFIX } from '../naming';
import type { ProcessRunner } from './process';

/** Docker's tag grammar (https://docs.docker.com/reference/cli/docker/image/tag/): ECR takes the same. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A tag given with --tag: valid, and not one of the release tags cyclops sets itself. */
export function checkTag(tag: string): string {
  if (!TAG.test(tag)) throw usageError(`--tag "${tag}": not a valid image tag; use up to 128 letters, digits, "_", "." and "-", starting with a letter, digit or "_"`);
  if (tag.startsWith(IMAGE_TAG_PREFIX)) throw usageError(`--tag "${tag}": tags starting with "${IMAGE_TAG_PREFIX}" are the release tags cyclops sets itself; choose another tag`);
  return tag;
}

export interface BuildOptions {
  /** the build context */
  dir: string;
  /** the Dockerfile (absolute) */
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
}

export interface Source {
  /** the short commit, or null outside a git work tree */
  commit: string | null;
  dirty: boolean;
  /** the image tag */
  tag: string;
  /** true: derived from the source (so an existing tag is this build); false: --tag */
  derived: boolean;
}

/** The build's source and tag. Outside a git work tree --tag is required. */
export async function buildSource(runner: ProcessRunner, o: BuildOptions, given?: string): Promise<Source> {
  const git = (args: string[]) => (runner.which('git') ? runner.run('git', args, { cwd: o.dir }) : Promise.resolve({ code: 127, stdout: '', tail: [] }));
  const head = await git(['rev-parse', '--short', 'HEAD']);
  const commit = head.code === 0 ? head.stdout.trim() : null;
  const dirty = commit ? await dirtyHash(runner, o) : null;
  if (given !== undefined) return { commit, dirty: dirty !== null, tag: checkTag(given), derived: false };
  if (!commit) throw usageError(`build ${o.dir}: not in a git work tree with a commit, so there is no commit to tag the image with; give one with --tag (e.g. --tag 1.4.2)`);
  const opts = optionsHash(o);
  return { commit, dirty: dirty !== null, tag: `${commit}${dirty ? `-dirty-${dirty}` : ''}${opts ? `-o${opts}` : ''}`, derived: true };
}

/**
 * The sha256 (12 hex) of the uncommitted changes in the build context and the Dockerfile:
 * each changed path with its content (or "deleted"); null when there are none.
 */
async function dirtyHash(runner: ProcessRunner, o: BuildOptions): Promise<string | null> {
  const top = await runner.run('git', ['rev-parse', '--show-toplevel'], { cwd: o.dir });
  const status = await runner.run('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.', path.relative(o.dir, o.dockerfile) || '.'], { cwd: o.dir });
  if (top.code !== 0 || status.code !== 0) return null;
  const root = top.stdout.trim();
  // entries are "XY path\0"; a rename or copy is followed by its old path as one more entry
  const entries = status.stdout.split('\0').filter(Boolean);
  const paths = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    paths.add(e.slice(3));
    if (/^[RC]/.test(e)) paths.add(entries[++i]);
  }
  if (!paths.size) return null;
  const h = createHash('sha256');
  for (const p of [...paths].sort()) {
    h.update(`${p}\0`);
    const file = path.join(root, p);
    h.update(isFile(file) ? readFileSync(file) : 'deleted');
    h.update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

const isFile = (f: string) => {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
};

/** The build options beyond the defaults, hashed (8 hex); null with none. */
function optionsHash(o: BuildOptions): string | null {
  const dockerfile = path.relative(o.dir, o.dockerfile);
  const args = Object.keys(o.buildArgs).sort();
  if (dockerfile === 'Dockerfile' && !o.target && !args.length) return null;
  const text = JSON.stringify({ dockerfile, target: o.target ?? null, args: args.map((k) => [k, o.buildArgs[k]]) });
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
