/** Validation of the stateful options: one line per problem, naming the key path and the fix (exit 2). */
import { parseConfig } from '../../src/config/load';
import { CyclopsError } from '../../src/errors';
import { rawStateful } from '../templates/fixtures';

type Raw = Record<string, any>;
function problems(edit: (c: Raw) => void): string[] {
  const raw = rawStateful();
  edit(raw);
  try {
    parseConfig(raw, 'config.json');
  } catch (e) {
    const err = e as CyclopsError;
    expect(err.exitCode).toBe(2);
    return err.details.length ? err.details : [err.message];
  }
  return [];
}

it('the scenario config itself is valid', () => {
  expect(problems(() => {})).toEqual([]);
});

const cases: [string, (c: Raw) => void, string, RegExp][] = [
  ['a relative mount path', (c) => (c.apps.couch.processes.web.volumes.data.path = 'data'), 'apps.couch.processes.web.volumes.data.path', /not an absolute, normalised path/],
  ['a path with ..', (c) => (c.apps.couch.processes.web.volumes.data.path = '/var/../etc'), 'apps.couch.processes.web.volumes.data.path', /"\.\."/],
  ['the root as mount path', (c) => (c.apps.couch.processes.web.volumes.data.path = '/'), 'apps.couch.processes.web.volumes.data.path', /not "\/"/],
  [
    'an overlapping mount path',
    (c) => (c.apps.couch.processes.web.volumes.logs = { path: '/opt/couchdb/data/logs' }),
    'apps.couch.processes.web.volumes.logs.path',
    /overlaps volume "data" at "\/opt\/couchdb\/data"/,
  ],
  ['a writable volume on two tasks', (c) => (c.apps.couch.processes.web.count = 2), 'apps.couch.processes.web.count', /is 2 with writable volume "data", so two tasks would write the same files/],
  ['a writable volume on an autoscaled process', (c) => (c.apps.couch.processes.web.count = { min: 1, max: 3, cpu: 50 }), 'apps.couch.processes.web.count', /autoscales with writable volume/],
  ['a writable volume written by two processes', (c) => (c.apps.couch.processes.worker = { volumes: { data: { path: '/data', uid: 5984, gid: 5984 } } }), 'apps.couch.processes.worker.volumes.data', /also written by process web/],
  ['a volume mounted as two POSIX users', (c) => (c.apps.couch.processes.worker = { volumes: { data: { path: '/data', readOnly: true } } }), 'apps.couch.processes.worker.volumes.data', /mounts it as uid:gid 1000:1000, process web as 5984:5984/],
  ['a sidecar named like a process', (c) => (c.apps.couch.processes.web.sidecars[0].name = 'web'), 'apps.couch.processes.web.sidecars[0].name', /also a process of this app/],
  ['two sidecars of one name', (c) => (c.apps.couch.processes.web.sidecars[1].name = 'proxy'), 'apps.couch.processes.web.sidecars[1].name', /names another sidecar/],
  ['a bad sidecar image', (c) => (c.apps.couch.processes.web.sidecars[0].image = 'Nginx Latest'), 'apps.couch.processes.web.sidecars[0].image', /not an image reference/],
  ['a sidecar port clash', (c) => (c.apps.couch.processes.web.sidecars[0].port = 5984), 'apps.couch.processes.web.sidecars[0].port', /also the port of process web/],
  ['min above max', (c) => (c.apps.search.processes.web.count = { min: 5, max: 3, cpu: 60 }), 'apps.search.processes.web.count.min', /is 5, above max 3/],
  ['autoscaling without a target', (c) => (c.apps.search.processes.web.count = { min: 1, max: 3 }), 'apps.search.processes.web.count', /needs at least one target/],
  ['requestsPerTarget off web', (c) => (c.apps.search.processes.api.count.requestsPerTarget = 100), 'apps.search.processes.api.count.requestsPerTarget', /applies only to the web process/],
  ['an internal process without a port', (c) => delete c.apps.search.processes.api.port, 'apps.search.processes.api.port', /is required for an internal process/],
  ['a worker with a port', (c) => (c.apps.search.processes.indexer.port = 81), 'apps.search.processes.indexer.port', /applies only to "web" or an internal process/],
  ['an unknown app in uses', (c) => (c.apps.shop.uses = ['serch-api']), 'apps.shop.uses[0]', /not a process of a configured app.*did you mean search-api\?/],
  ['a process in uses that is not internal', (c) => (c.apps.shop.uses = ['search-indexer']), 'apps.shop.uses[0]', /not internal; set "internal": true/],
  ['a CIDR that does not parse', (c) => (c.apps.shop.allow = ['203.0.113.0/33']), 'apps.shop.allow[0]', /is not a CIDR block/],
  ['an IPv6 CIDR that does not parse', (c) => (c.apps.shop.allow = ['2001:db8::zz/32']), 'apps.shop.allow[0]', /is not a CIDR block/],
  ['an IPv6 CIDR while the load balancer is IPv4-only', (c) => (c.apps.shop.allow = ['203.0.113.0/24', '2001:db8::/32']), 'apps.shop.allow[1]', /"2001:db8::\/32" is an IPv6 block, but the load balancer is IPv4-only, so it would never match; list the IPv4 blocks those clients use instead$/],
  ['too many allow values', (c) => (c.apps.shop.allow = ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16']), 'apps.shop.allow', /has 5 CIDR blocks; .* at most 5 condition values .* at most 4/],
  ['allow without a web process', (c) => (c.apps.search.allow = ['10.0.0.0/8']) && delete c.apps.search.processes.web, 'apps.search.allow', /only to an app with a "web" process/],
  ['a range with no room for 403 rules', (c) => (c.ports.range = [20000, 40000]), 'ports.range', /leaves no room for the 403 rules/],
  ['a bad alarm threshold', (c) => (c.apps.shop.alarms.http5xxPercent = 0), 'apps.shop.alarms.http5xxPercent', /must be above 0 \(percent\)/],
  ['a process name that is not a label', (c) => (c.apps.shop.processes.Bad_Name = {}), 'apps.shop.processes.Bad_Name', /not a valid process name/],
  ['two process names with one PascalCase form', (c) => (c.apps.shop.processes['image-worker2'] = {}) && (c.apps.shop.processes['image-worker-2'] = {}), 'apps.shop.processes["image-worker-2"]', /same parameter and resource names as process "image-worker2"/],
  ['web on a schedule', (c) => (c.apps.couch.processes.web.schedule = 'rate(1 day)'), 'apps.couch.processes.web.schedule', /cannot run on a schedule/],
  ['count on the release phase', (c) => (c.apps.couch.processes.release = { count: 2 }), 'apps.couch.processes.release.count', /does not apply to "release"/],
];

describe.each(cases)('rejects %s', (_name, edit, key, message) => {
  it('with one line naming the key and the fix', () => {
    const lines = problems(edit);
    const line = lines.find((l) => l.startsWith(`config.json: ${key}: `));
    expect({ line, lines }).toEqual({ line: expect.stringMatching(message), lines });
  });
});

it('existing web/worker/cron configs resolve as before', () => {
  const raw = rawStateful();
  const c = parseConfig({ ...raw, apps: { old: { processes: { worker: { count: 2 }, web: { port: 3000 }, cron: { schedule: 'rate(1 day)' } } } } }, 'config.json');
  expect(c.apps.old.processes.map((p) => [p.name, p.kind, p.count])).toEqual([
    ['web', 'web', 1],
    ['worker', 'worker', 2],
    ['cron', 'cron', 0],
  ]);
});
