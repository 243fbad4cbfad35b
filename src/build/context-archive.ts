/**
 * The build context for a remote build (`deploy --build --remote`): DIR's files as Docker
 * would send them, zipped for upload to the config bucket.
 *
 * - `.dockerignore` applies as Docker applies it (@balena/dockerignore: Docker's pattern
 *   rules, `!` exceptions included); the Dockerfile and `.dockerignore` themselves are always
 *   sent, as the Docker CLI does (TrimBuildFilesFromExcludes,
 *   https://github.com/docker/cli/blob/v23.0.0-rc.1/cli/command/image/build/dockerignore.go).
 * - The size is decided before anything is written: more than MAX_CONTEXT_BYTES (the sum of
 *   the files' sizes) is refused with exit 2, naming the largest entries to ignore.
 * - The zip is deterministic (sorted names, one fixed time; each file keeps its mode, so an
 *   executable stays executable): the same source gives the same bytes and sha256.
 * - A symbolic link is sent as what it points to when that is a file; a link to a directory is
 *   left out and named (Docker would send the link itself, which a zip cannot carry).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ignore from '@balena/dockerignore';
import { ZipFile } from 'yazl';
import { usageError } from '../errors';

/** The most a remote build uploads (the limit): 500 MB of files, before compression. */
export const MAX_CONTEXT_BYTES = 500 * 1024 * 1024;
/** The Dockerfile's name in the archive when --dockerfile names one outside DIR. */
export const OUTSIDE_DOCKERFILE = '.cyclops.Dockerfile';
/** Every file gets this time: the archive depends on the content alone. */
const FIXED_TIME = new Date('1980-01-02T00:00:00Z');

export interface ContextFile {
  /** where it is on disk */
  file: string;
  /** its name in the archive (posix, relative to DIR) */
  name: string;
  size: number;
  mode: number;
}

export interface BuildContext {
  files: ContextFile[];
  /** the sum of the files' sizes */
  bytes: number;
  /** the Dockerfile's name in the archive */
  dockerfile: string;
  /** directories left out because they are symbolic links */
  skippedLinks: string[];
}

/** DIR's files after .dockerignore; refused (exit 2) above `max` bytes, before anything is written. */
export function buildContext(dir: string, dockerfile: string, max = MAX_CONTEXT_BYTES): BuildContext {
  const root = path.resolve(dir);
  const ignoreFile = path.join(root, '.dockerignore');
  const patterns = isFile(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  const ig = ignore().add(patterns);
  // with no "!" exception an ignored directory holds nothing that is sent: not walked at all
  const exceptions = patterns.some((p) => p.startsWith('!'));
  const relDockerfile = path.relative(root, path.resolve(dockerfile));
  const inside = !relDockerfile.startsWith('..') && !path.isAbsolute(relDockerfile);
  const always = new Set(['.dockerignore', ...(inside ? [toPosix(relDockerfile)] : [])]);
  const files: ContextFile[] = [];
  const skippedLinks: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const file = path.join(abs, entry.name);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st) continue; // a dangling link
      if (st.isDirectory()) {
        if (entry.isSymbolicLink()) {
          if (!ig.ignores(name)) skippedLinks.push(name);
          continue;
        }
        if (!exceptions && ig.ignores(name)) continue;
        walk(file, name);
      } else if (st.isFile() && (always.has(name) || !ig.ignores(name))) {
        files.push({ file, name, size: st.size, mode: st.mode });
      }
    }
  };
  walk(root, '');
  if (!inside) {
    const st = statSync(dockerfile);
    files.push({ file: path.resolve(dockerfile), name: OUTSIDE_DOCKERFILE, size: st.size, mode: st.mode });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bytes = files.reduce((n, f) => n + f.size, 0);
  if (bytes > max) {
    const largest = largestEntries(files, 3).map(([e, n]) => `${e} (${mb(n)})`).join(', ');
    throw usageError(`build context ${dir}: ${mb(bytes)} after .dockerignore, more than a remote build takes (${mb(max)}); the largest: ${largest}; add what the image does not need to ${path.join(dir, '.dockerignore')}, or build locally without --remote`);
  }
  return { files, bytes, dockerfile: inside ? toPosix(relDockerfile) : OUTSIDE_DOCKERFILE, skippedLinks };
}

/** Write the context as a zip to `out`; its size and sha256. */
export async function zipContext(ctx: BuildContext, out: string): Promise<{ bytes: number; sha256: string }> {
  const zip = new ZipFile();
  for (const f of ctx.files) zip.addFile(f.file, f.name, { mtime: FIXED_TIME, mode: f.mode, compress: true });
  zip.end();
  const hash = createHash('sha256');
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const sink = createWriteStream(out, { mode: 0o600 });
    zip.outputStream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    zip.outputStream.on('error', reject);
    sink.on('error', reject);
    sink.on('finish', () => resolve());
    zip.outputStream.pipe(sink);
  });
  return { bytes, sha256: hash.digest('hex') };
}

/** The context's top-level entries by size, largest first. */
function largestEntries(files: ContextFile[], n: number): [string, number][] {
  const by = new Map<string, number>();
  for (const f of files) {
    const top = f.name.includes('/') ? `${f.name.slice(0, f.name.indexOf('/'))}/` : f.name;
    by.set(top, (by.get(top) ?? 0) + f.size);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** A size as people read it: "12.3 KB", "4.5 MB". */
export const mb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`);
const toPosix = (p: string) => p.split(path.sep).join('/');
const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
