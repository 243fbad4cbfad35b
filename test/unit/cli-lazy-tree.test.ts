/**
 * A run registers only the command its command line names (src/commands/index.ts,
 * registersFor; src/usage.ts, commandWord): start-up builds one branch of the tree, not all.
 */
import { buildProgram } from '../../src/cli';
import { commandsByName } from '../../src/commands';
import { commandWord } from '../../src/usage';

/** The visible top-level commands (completion also registers its hidden __complete helper). */
const names = (args?: string[]) =>
  buildProgram(() => undefined, { stdout: { write: () => true } as never }, args)
    .commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .map((c) => c.name());
const globals = buildProgram(() => undefined, {}, ['init']).options;

test('a run of a command registers its module, and every command a module registers is listed under it', () => {
  for (const key of Object.keys(commandsByName).filter((k) => k !== 'completion')) {
    const registered = names([key]);
    expect(registered).toContain(key);
    for (const name of registered) expect({ key, name, same: commandsByName[name] === commandsByName[key] }).toEqual({ key, name, same: true });
  }
  expect(names(['deploy'])).toEqual(['deploy']);
  expect(names(['destroy'])).toEqual(['status', 'apps', 'destroy']);
  expect(names()).toEqual(Object.keys(commandsByName));
});

test('the whole tree where a run needs it: program help, the help command, unknown words, completion', () => {
  const all = Object.keys(commandsByName);
  for (const args of [[], ['--help'], ['-h', 'deploy'], ['help', 'deploy'], ['deplo'], ['completion', 'bash'], ['__complete', 'deploy'], ['--json']]) {
    expect({ args, registered: names(args) }).toEqual({ args, registered: all });
  }
});

test('the command word skips global options and the values of those that take one', () => {
  const cases: [string[], string | undefined][] = [
    [['deploy', 'nginx:1', 'web', 'staging'], 'deploy'],
    [['--profile', 'deploy', 'status'], 'status'],
    [['--profile=ops', '--json', 'vars', 'list'], 'vars'],
    [['-c', 'other.json', '-v', 'scale', 'web'], 'scale'],
    [['--progress', 'json', '--region', 'eu-west-1', 'logs'], 'logs'],
    [['--json', '--', 'env'], 'env'],
    [['--json'], undefined],
    [['--help', 'deploy'], undefined],
  ];
  for (const [args, word] of cases) expect({ args, word: commandWord(args, globals) }).toEqual({ args, word });
});

test('a run of one command parses as it would in the full tree', async () => {
  let out = '';
  const p = buildProgram(() => undefined, { stdout: { write: (s: string) => ((out += s), true) } as never }, ['--profile', 'x', 'deploy', '--help']);
  p.exitOverride();
  await expect(p.parseAsync(['node', 'cyclops', '--profile', 'x', 'deploy', '--help'])).rejects.toMatchObject({ exitCode: 0 });
  expect(out).toMatch(/^Usage: cyclops deploy \[options\] <image> <app> \[env\]/);
});
