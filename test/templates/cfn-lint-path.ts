/** Where cfn-lint is: PATH, or the pyenv shims. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export function findCfnLint(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter);
  const home = process.env.HOME ?? '/root';
  dirs.push(path.join(process.env.PYENV_ROOT ?? path.join(home, '.pyenv'), 'shims'));
  for (const d of dirs) {
    const p = path.join(d, 'cfn-lint');
    if (spawnSync(p, ['--version'], { encoding: 'utf8' }).status === 0) return p;
  }
  return null;
}
