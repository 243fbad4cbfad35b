/** The suite log's reading of a run's arguments (test/support/suite-log.ts): the command it ran, whatever options come first. */
import { commandOf } from '../../src/iam/commands';
import { commandWords, optionOf } from '../support/suite-log';

test.each([
  [['--progress', 'json', '--verbose', 'deploy', 'registry.example.com/shop:2', 'shop', 'staging'], 'deploy'],
  [['-c', 'twozones.json', 'env', 'create', 'twin', '--json'], 'env create'],
  [['--region=us-west-2', 'config', 'push', 'app', 'shop', 'staging'], 'config push app'],
  [['--profile', 'ops', '--endpoint-url', 'http://127.0.0.1:1', 'secrets', 'set', 'shop', 'staging', 'KEY'], 'secrets set'],
])('%j runs %s', (args, command) => {
  expect(commandOf(commandWords(args))).toBe(command);
});

test('a program option given as "--x v" or "--x=v"', () => {
  expect(optionOf(['--region', 'us-west-2', 'status'], ['--region'])).toBe('us-west-2');
  expect(optionOf(['--config=a=b.json', 'status'], ['-c', '--config'])).toBe('a=b.json');
  expect(optionOf(['status'], ['--region'])).toBeUndefined();
});
