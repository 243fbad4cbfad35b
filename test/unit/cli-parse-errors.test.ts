/** Parser errors: one usage line with a fix, on every command of the tree. In-process, no servers. */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import { closest, commandPath, editDistance, ParseFailure, usageLine } from '../../src/usage';

function leaves(cmd: Command): Command[] {
  return cmd.commands.length ? cmd.commands.flatMap(leaves) : [cmd];
}

/** The argv that reaches `cmd`, with its required arguments filled in. */
function argvFor(cmd: Command, extra: string[]): string[] {
  const names = commandPath(cmd).split(' ').slice(1);
  const args = cmd.registeredArguments.filter((a) => a.required).map(() => 'x');
  return ['node', 'cyclops', ...names, ...args, ...extra];
}

async function parseError(argv: string[]): Promise<ParseFailure> {
  const program = buildProgram(() => undefined);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ParseFailure) return e;
    throw e;
  }
  throw new Error(`no parse error for ${argv.join(' ')}`);
}

test('edit distance counts insertions, deletions, substitutions and transpositions', () => {
  expect(editDistance('deploy', 'deploy')).toBe(0);
  expect(editDistance('deplyo', 'deploy')).toBe(1);
  expect(editDistance('--dry-rn', '--dry-run')).toBe(1);
  expect(editDistance('abc', '')).toBe(3);
  expect(closest('--dyr-run', ['--dry-run', '--no-wait', '--timeout'])).toBe('--dry-run');
  expect(closest('--frobnicate', ['--dry-run', '--no-wait', '--timeout'])).toBeUndefined();
  expect(closest('crate', ['create', 'update', 'delete'])).toBe('create');
  expect(closest('x', ['y'])).toBeUndefined();
});

const program = buildProgram(() => undefined);
const all = leaves(program);

test('the tree has the commands the suite expects', () => {
  expect(all.map(commandPath)).toEqual(expect.arrayContaining(['cyclops deploy', 'cyclops synth cluster', 'cyclops config push app', 'cyclops env delete']));
  expect(all.length).toBeGreaterThan(20);
});

test.each(all.map((c) => [commandPath(c), c] as const))('%s: an unknown option is one usage line with a fix', async (_name, cmd) => {
  const f = await parseError(argvFor(cmd, ['--frobnicate']));
  expect(f.usage.exitCode).toBe(2);
  expect(f.usage.message).not.toContain('\n');
  expect(f.usage.message).toBe(`${commandPath(cmd)}: unknown option "--frobnicate"; ${usageLine(cmd)} (options: ${commandPath(cmd)} --help)`);
});

test.each(all.filter((c) => c.registeredArguments.some((a) => a.required)).map((c) => [commandPath(c), c] as const))(
  '%s: a missing argument names it and shows the usage',
  async (_name, cmd) => {
    const f = await parseError(['node', 'cyclops', ...commandPath(cmd).split(' ').slice(1)]);
    expect(f.usage.message).toBe(`${commandPath(cmd)}: missing <${cmd.registeredArguments[0].name()}>; ${usageLine(cmd)}`);
  },
);

test('a near miss offers the closest option, global options included', async () => {
  expect((await parseError(['node', 'cyclops', 'deploy', 'a', 'b', 'c', '--dry-rn'])).usage.message).toBe('cyclops deploy: unknown option "--dry-rn"; did you mean --dry-run?');
  expect((await parseError(['node', 'cyclops', 'env', 'delete', 'x', '--jsno'])).usage.message).toMatch(/did you mean --json\?$/);
  expect((await parseError(['node', 'cyclops', 'deploy', 'a', 'b', 'c', '--regoin=eu-west-1'])).usage.message).toMatch(/unknown option "--regoin"; did you mean --region\?$/);
});

test('habits from tail, heroku and kubectl get "did you mean" on logs; --tail and -n are --limit', async () => {
  const logs = (...args: string[]) => parseError(['node', 'cyclops', 'logs', 'web', 'staging', ...args]);
  expect((await logs('--lines', '50')).usage.message).toBe('cyclops logs: unknown option "--lines"; did you mean --limit?');
  expect((await logs('--num=50')).usage.message).toMatch(/unknown option "--num"; did you mean --limit\?$/);
  expect((await logs('--grep', 'ERROR')).usage.message).toMatch(/unknown option "--grep"; did you mean --filter\?$/);
  // Only where the command has the flag: deploy has no --limit.
  expect((await parseError(['node', 'cyclops', 'deploy', 'a', 'b', 'c', '--lines'])).usage.message).not.toMatch(/--limit/);
  expect((await logs('--tail', '5', '--limit', '6')).usage.message).toMatch(/--tail.*cannot be used with.*--limit/);
});

test('unknown and missing commands, extra arguments, bad values and choices', async () => {
  const msg = async (...a: string[]) => (await parseError(['node', 'cyclops', ...a])).usage.message;
  expect(await msg('deplyo')).toBe('cyclops: unknown command "deplyo"; did you mean "cyclops deploy"?');
  expect(await msg('env', 'crate', 'x')).toBe('cyclops env: unknown command "crate"; did you mean "cyclops env create"?');
  expect(await msg('synth', 'clustr', 'x')).toBe('cyclops synth: unknown command "clustr"; did you mean "cyclops synth cluster"?');
  // Heroku's words get cyclops's command for the same thing
  expect(await msg('dyno')).toBe('cyclops: unknown command "dyno"; did you mean "cyclops ps"?');
  expect(await msg('ps:scale', 'web=2')).toBe('cyclops: unknown command "ps:scale"; did you mean "cyclops scale"?');
  expect(await msg('ps:restart')).toBe('cyclops: unknown command "ps:restart"; did you mean "cyclops restart"?');
  expect(await msg('releases:rollback')).toBe('cyclops: unknown command "releases:rollback"; did you mean "cyclops rollback"?');
  expect(await msg('config')).toBe('cyclops config: needs a command; use one of: push, read (cyclops config --help describes them)');
  expect(await msg('deploy', 'a', 'b', 'c', 'd')).toBe('cyclops deploy: unexpected argument "d" (it takes 3 arguments); usage: cyclops deploy <image> <app> [env] [options]');
  expect(await msg('deploy', 'a', 'b', 'c', '--timeout', '99999999999999999999')).toBe(
    '--timeout "99999999999999999999": is longer than the limit of 24h; use at most 24h (86400 seconds), such as 30m',
  );
  expect(await msg('deploy', 'a', 'b', 'c', '--timeout', '0')).toMatch(/^--timeout "0": is not a duration/);
  expect(await msg('deploy', 'a', 'b', 'c', '--count', 'web=101')).toMatch(/^--count "web=101": is more than 100 tasks/);
  expect(await msg('deploy', 'a', 'b', 'c', '--count', 'web=1', '--count', 'web=2')).toMatch(/^--count "web=2": sets web a second time/);
  expect(await msg('deploy', 'a', 'b', 'c', '--timeout')).toBe('cyclops deploy: option --timeout needs a value; give it as --timeout <duration>');
  expect(await msg('db', 'ensure', 'a', 'b', '--runner', 'ssh')).toBe('--runner "ssh": is not one of direct, task; use --runner direct or --runner task');
});

test('--help and --version are not errors', async () => {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    for (const argv of [['--help'], ['deploy', '--help'], ['--version']]) {
      const p = buildProgram(() => undefined);
      await expect(p.parseAsync(['node', 'cyclops', ...argv])).rejects.toMatchObject({ exitCode: 0 });
    }
  } finally {
    out.mockRestore();
  }
});
