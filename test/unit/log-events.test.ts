/** The pure helpers behind `logs`: --since/--until parsing, stream names, interleaving, dedup, NDJSON frames and the line prefix. */
import { Chalk } from 'chalk';
import { interleave, parseStream, parseTime, Seen, taskStream, toLine } from '../../src/plan/log-events';
import { formatLogLine, ndjson, processColour } from '../../src/report/log-lines';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const ev = (id: string, timestamp: number, stream = 'web/web/aaaa1111bbbb') => ({ id, timestamp, message: `m${id}`, stream });

describe('parseTime', () => {
  test.each([
    ['90s', NOW - 90_000],
    ['10m', NOW - 600_000],
    ['1h', NOW - 3_600_000],
    ['2d', NOW - 2 * 86_400_000],
    ['1w', NOW - 604_800_000],
    ['2030-01-01', Date.parse('2030-01-01T00:00:00Z')],
    ['2030-01-01T10:30:00Z', Date.parse('2030-01-01T10:30:00Z')],
    ['2030-01-01T10:30:00+02:00', Date.parse('2030-01-01T08:30:00Z')],
  ])('%s', (text, want) => expect(parseTime(text, NOW)).toBe(want));

  test.each(['', 'yesterday', '10', '10 minutes', '-5m', '2030-13-45', '1y', '2030/01/01'])('rejects %p', (text) => expect(parseTime(text, NOW)).toBeNull());
});

test('a stream name is process/container/task id; one without a task id still names its process', () => {
  expect(parseStream('worker/worker/0123abcd')).toEqual({ process: 'worker', container: 'worker', task: '0123abcd' });
  expect(parseStream('odd')).toEqual({ process: 'odd', container: '', task: '-' });
  expect(taskStream('release', 'release', 'arn:aws:ecs:eu-west-1:1:task/acme-staging/feed')).toBe('release/release/feed');
  expect(toLine(ev('1', NOW, 'cron/cron/t1'))).toEqual({ id: '1', timestamp: '2030-01-01T12:00:00.000Z', process: 'cron', task: 't1', message: 'm1' });
});

test('interleave sorts by time across streams, and ties stably by stream then id', () => {
  const out = interleave([ev('c', 3, 'worker/worker/x'), ev('b', 1, 'worker/worker/x'), ev('a', 1, 'web/web/y'), ev('d', 2)]);
  expect(out.map((e) => e.id)).toEqual(['a', 'b', 'd', 'c']);
});

test('Seen drops events shown before (same millisecond included), advances the cursor and forgets ids behind it', () => {
  const seen = new Seen(0);
  expect(seen.fresh([ev('2', 20), ev('1', 10), ev('3', 20)]).map((e) => e.id)).toEqual(['1', '2', '3']);
  expect(seen.cursor).toBe(20);
  // the next poll starts at 20 (inclusive): 2 and 3 come again, 4 is new at the same millisecond
  expect(seen.fresh([ev('2', 20), ev('3', 20), ev('4', 20), ev('5', 25)]).map((e) => e.id)).toEqual(['4', '5']);
  expect(seen.cursor).toBe(25);
  expect(seen.size).toBe(1); // only 5 is at the cursor
});

test('NDJSON: one line per object, newlines inside messages escaped', () => {
  const frame = ndjson({ message: 'two\nlines', n: 1 });
  expect(frame.endsWith('\n')).toBe(true);
  expect(frame.slice(0, -1)).not.toContain('\n');
  expect(JSON.parse(frame)).toEqual({ message: 'two\nlines', n: 1 });
});

test('a log line has a process/task prefix, coloured per process on a terminal and plain otherwise', () => {
  const line = { id: '1', timestamp: '2030-01-01T12:00:00.000Z', process: 'web', task: '0123456789abcdef', message: 'GET /' };
  expect(formatLogLine(line, new Chalk({ level: 0 }))).toBe('2030-01-01T12:00:00.000Z web/01234567 GET /');
  const coloured = formatLogLine(line, new Chalk({ level: 1 }));
  expect(coloured).toContain('\u001b[');
  expect(coloured).toContain('web/01234567');
  expect(processColour('web')).toBe(processColour('web'));
  expect(new Set(['web', 'worker', 'cron', 'release'].map(processColour)).size).toBeGreaterThan(1);
});
