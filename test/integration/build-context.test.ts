/**
 * The remote build's context (src/build/context-archive.ts): .dockerignore as Docker applies it,
 * the Dockerfile and .dockerignore always sent, the size limit decided before anything is
 * written, and a deterministic zip whose entries (names, content, modes) are read back with
 * Python's zipfile, an independent reader.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildContext, OUTSIDE_DOCKERFILE, zipContext } from '../../src/build/context-archive';
import { isCyclopsError } from '../../src/errors';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'cyclops-context-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

/** name → [size, unix mode] of each entry, read by Python's zipfile. */
function entries(zip: string): Record<string, [number, number]> {
  const py = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({i.filename:[i.file_size,(i.external_attr>>16)&0o777] for i in z.infolist()}))';
  return JSON.parse(execFileSync('python3', ['-c', py, zip], { encoding: 'utf8' }));
}

describe('remote build context', () => {
  test('.dockerignore with an exception; the Dockerfile and .dockerignore are sent even when ignored; modes kept; a linked directory is named, not sent', () => {
    const dir = tree('a', {
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': '# comment\nnode_modules\n*.log\n!keep.log\nDockerfile\n.dockerignore\n.git\n',
      'src/app.js': 'x',
      'run.sh': '#!/bin/sh\n',
      'debug.log': 'no',
      'keep.log': 'yes',
      'node_modules/a/index.js': 'big',
      '.git/HEAD': 'ref',
    });
    chmodSync(path.join(dir, 'run.sh'), 0o755);
    symlinkSync(path.join(dir, 'src'), path.join(dir, 'linked'));
    const ctx = buildContext(dir, path.join(dir, 'Dockerfile'));
    expect(ctx.files.map((f) => f.name)).toEqual(['.dockerignore', 'Dockerfile', 'keep.log', 'run.sh', 'src/app.js']);
    expect(ctx.dockerfile).toBe('Dockerfile');
    expect(ctx.skippedLinks).toEqual(['linked']);
    expect(ctx.bytes).toBe(ctx.files.reduce((n, f) => n + f.size, 0));
  });

  test('the zip holds exactly the context, executable bits kept, and is the same bytes for the same source', async () => {
    const dir = tree('b', { Dockerfile: 'FROM scratch\n', 'bin/start': '#!/bin/sh\necho hi\n', 'a.txt': 'a'.repeat(5000) });
    chmodSync(path.join(dir, 'bin/start'), 0o755);
    const ctx = buildContext(dir, path.join(dir, 'Dockerfile'));
    const one = await zipContext(ctx, path.join(root, 'b1.zip'));
    const two = await zipContext(buildContext(dir, path.join(dir, 'Dockerfile')), path.join(root, 'b2.zip'));
    expect(two.sha256).toBe(one.sha256);
    expect(one.bytes).toBeLessThan(ctx.bytes); // compressed
    const mode = (f: string) => statSync(path.join(dir, f)).mode & 0o777;
    expect(entries(path.join(root, 'b1.zip'))).toEqual({ Dockerfile: [13, mode('Dockerfile')], 'a.txt': [5000, mode('a.txt')], 'bin/start': [18, 0o755] });
  });

  test('a --dockerfile outside DIR goes in under its own name', () => {
    const dir = tree('c', { 'app.js': 'x' });
    const outside = path.join(root, 'Dockerfile.prod');
    writeFileSync(outside, 'FROM scratch\n');
    const ctx = buildContext(dir, outside);
    expect(ctx.dockerfile).toBe(OUTSIDE_DOCKERFILE);
    expect(ctx.files.map((f) => f.name)).toEqual([OUTSIDE_DOCKERFILE, 'app.js']);
  });

  test('more than the limit is refused with exit 2, naming the largest entries and .dockerignore', () => {
    const dir = tree('d', { Dockerfile: 'FROM scratch\n', 'data/big.bin': 'x'.repeat(3000), 'small.txt': 'y' });
    let err: unknown;
    try {
      buildContext(dir, path.join(dir, 'Dockerfile'), 2048);
    } catch (e) {
      err = e;
    }
    expect(isCyclopsError(err) && err.exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^build context .*d: 2\.9 KB after \.dockerignore, more than a remote build takes \(2\.0 KB\); the largest: data\/ \(2\.9 KB\), Dockerfile \(0\.0 KB\), small\.txt \(0\.0 KB\); add what the image does not need to .*\.dockerignore, or build locally without --remote$/);
  });
});
