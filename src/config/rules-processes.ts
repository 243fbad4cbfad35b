/**
 * Rules for an app's processes and the options of issue "stateful apps": process kinds by
 * name, volumes, sidecars, autoscaling, internal services, `uses`, `allow` and alarms.
 * Each problem names its key path and the fix.
 */
import { isIP } from 'node:net';
import type { ParsedConfig } from './schema';
import { didYouMean, isImageReference } from '../naming';
import { DEFAULT_VOLUME_POSIX_ID, processKind, RELEASE_PROCESS, WEB_PROCESS } from './model';

type Raw = ParsedConfig['apps'][string];
type RawProcess = NonNullable<Raw['processes']>[string];
export type Path = (string | number)[];
export type Add = (path: Path, message: string) => void;

/** Condition values per load-balancer rule (not adjustable); the host header takes one. */
export const MAX_RULE_CONDITION_VALUES = 5;
export const MAX_ALLOW = MAX_RULE_CONDITION_VALUES - 1;
/** Cloud Map service names are DNS labels: `<app>-<process>`. */
export const MAX_LABEL = 63;

/** The PascalCase form of a process name: its logical ids and parameters ("WebCount"). */
export const pascalName = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/** An IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32. */
export function parseCidr(text: string): { version: 4 | 6; prefix: number } | null {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text);
  if (!m) return null;
  const version = isIP(m[1]);
  const prefix = Number(m[2]);
  if (version === 4 && prefix <= 32) return { version: 4, prefix };
  if (version === 6 && prefix <= 128) return { version: 6, prefix };
  return null;
}

/** An absolute, normalised container path other than "/". */
const PATH_RE = /^(\/[A-Za-z0-9._@+-]+)+$/;
const covers = (a: string, b: string) => a === b || b.startsWith(`${a}/`);


function checkCount(p: RawProcess, kind: string, at: (...k: Path) => Path, add: Add): void {
  if (typeof p.count !== 'object') return;
  const c = p.count;
  if (c.min === undefined) add(at('count', 'min'), 'is required for autoscaling; add the fewest tasks to run, such as 1');
  if (c.max === undefined) add(at('count', 'max'), 'is required for autoscaling; add the most tasks to run, such as 10');
  if (c.min !== undefined && c.max !== undefined && c.min > c.max) add(at('count', 'min'), `is ${c.min}, above max ${c.max}; set min at or below max`);
  if (c.cpu === undefined && c.memory === undefined && c.requestsPerTarget === undefined) {
    add(at('count'), 'needs at least one target for autoscaling: cpu, memory (percent) or requestsPerTarget; add one, or give count as a number');
  }
  if (c.requestsPerTarget !== undefined && kind !== 'web') add(at('count', 'requestsPerTarget'), 'applies only to the web process (the load balancer counts its requests); remove it');
}

function checkVolumes(p: RawProcess, at: (...k: Path) => Path, add: Add): void {
  const vols = Object.entries(p.volumes ?? {});
  const paths: [string, string][] = [];
  for (const [name, v] of vols) {
    if (!PATH_RE.test(v.path)) {
      add(at('volumes', name, 'path'), `"${v.path}" is not an absolute, normalised path; use one such as "/var/lib/data" (no "..", no trailing "/", not "/")`);
      continue;
    }
    if (v.path.split('/').some((s) => s === '.' || s === '..')) {
      add(at('volumes', name, 'path'), `"${v.path}" has "." or ".." in it; use a normalised path such as "/var/lib/data"`);
      continue;
    }
    const clash = paths.find(([, other]) => covers(other, v.path) || covers(v.path, other));
    if (clash) add(at('volumes', name, 'path'), `"${v.path}" overlaps volume "${clash[0]}" at "${clash[1]}"; mount each volume at its own path, neither inside the other`);
    paths.push([name, v.path]);
    if (v.readOnly && v.shared) add(at('volumes', name, 'shared'), 'has no effect on a read-only volume (readers never conflict); remove it');
  }
  const writable = vols.filter(([, v]) => !v.readOnly && !v.shared).map(([n]) => n);
  if (!writable.length) return;
  const auto = typeof p.count === 'object';
  const n = typeof p.count === 'number' ? p.count : 1;
  if (auto || n > 1) {
    add(
      at('count'),
      `${auto ? 'autoscales' : `is ${n}`} with writable volume "${writable[0]}", so two tasks would write the same files; use count 1 (deployed as a singleton), mount the volume "readOnly", or set "shared": true if the app coordinates its writers`,
    );
  }
}

function checkSidecars(procName: string, p: RawProcess, processes: string[], at: (...k: Path) => Path, add: Add): void {
  const names = new Set<string>();
  const ports = new Map<number, string>();
  if (p.port !== undefined || procName === WEB_PROCESS || p.internal) ports.set(p.port ?? 80, `process ${procName}`);
  (p.sidecars ?? []).forEach((s, i) => {
    if (processes.includes(s.name)) add(at('sidecars', i, 'name'), `"${s.name}" is also a process of this app; give the sidecar another name (containers, log prefixes and process names must differ)`);
    else if (names.has(s.name)) add(at('sidecars', i, 'name'), `"${s.name}" names another sidecar of this process too; give each sidecar its own name`);
    names.add(s.name);
    if (s.image !== undefined && s.image !== 'app' && !isImageReference(s.image)) {
      add(at('sidecars', i, 'image'), `"${s.image}" is not an image reference; use one such as "redis:7.2" or "public.ecr.aws/nginx/nginx:1.27", or "app" for the app's own image`);
    }
    if (s.port !== undefined) {
      const taken = ports.get(s.port);
      if (taken) add(at('sidecars', i, 'port'), `${s.port} is also the port of ${taken}, and the containers of a task share one network; use another port`);
      ports.set(s.port, `sidecar ${s.name}`);
    }
  });
}

/** What a process may have, by its kind. */
function checkKind(name: string, p: RawProcess, at: (...k: Path) => Path, add: Add): string {
  const kind = processKind(name, p);
  const stray = (keys: (keyof RawProcess)[], why: string) => {
    for (const k of keys) if (p[k] !== undefined) add(at(k), why);
  };
  if (kind === 'release') {
    stray(['count', 'port', 'schedule', 'internal', 'volumes', 'sidecars'], `does not apply to "${RELEASE_PROCESS}", the release phase (a one-off task, never a service); remove it`);
    if (!p.command?.length) add(at('command'), 'is required for the release phase; add the command it runs before each deploy switches, such as ["npm", "run", "migrate"]');
  } else if (name === 'cron' && p.schedule === undefined) {
    add(at('schedule'), 'is required; add it (it must be a schedule expression such as "cron(0 3 * * ? *)"), or rename the process to run it as a worker');
  } else if (kind === 'web') {
    stray(['schedule'], '"web" is the process the load balancer routes to and cannot run on a schedule; rename the scheduled process');
    if (p.internal) add(at('internal'), '"web" is public through the load balancer; run the internal service as another process, such as "api"');
  } else if (kind === 'cron') {
    stray(['count', 'port', 'internal'], 'does not apply to a cron process (one with a schedule); remove it');
  } else if (kind === 'internal') {
    if (p.port === undefined) add(at('port'), 'is required for an internal process; add the port it listens on');
  } else {
    stray(['port'], 'applies only to "web" or an internal process; remove it, or set "internal": true');
  }
  return kind;
}

/** A writable volume that is not shared is written by one process only; every mount of a volume acts as one POSIX user. */
function checkWriters(app: string, procs: [string, RawProcess][], add: Add): void {
  const writer = new Map<string, string>();
  const owner = new Map<string, { process: string; id: string }>();
  for (const [name, p] of procs) {
    for (const [v, c] of Object.entries(p.volumes ?? {})) {
      const id = `${c.uid ?? DEFAULT_VOLUME_POSIX_ID}:${c.gid ?? DEFAULT_VOLUME_POSIX_ID}`;
      const first = owner.get(v);
      if (first && first.id !== id) add(['apps', app, 'processes', name, 'volumes', v], `mounts it as uid:gid ${id}, process ${first.process} as ${first.id}; the volume has one access point, so give both the same "uid" and "gid"`);
      else if (!first) owner.set(v, { process: name, id });
      if (c.readOnly || c.shared) continue;
      const other = writer.get(v);
      if (other) add(['apps', app, 'processes', name, 'volumes', v], `is also written by process ${other}; mount it "readOnly" in one of them, or set "shared": true in both if the app coordinates its writers`);
      else writer.set(v, name);
    }
  }
}

export function checkProcesses(app: string, a: Raw, add: Add): void {
  const procs = Object.entries(a.processes ?? {});
  const names = procs.map(([n]) => n);
  if (a.processes && !procs.some(([n]) => n !== RELEASE_PROCESS)) {
    add(['apps', app, 'processes'], 'has no process; add one such as "web" or "worker", or remove processes for a default web process');
  }
  const pascals = new Map<string, string>();
  for (const [name, p] of procs) {
    const at = (...k: Path): Path => ['apps', app, 'processes', name, ...k];
    const twin = pascals.get(pascalName(name));
    if (twin) add(at(), `has the same parameter and resource names as process "${twin}" (${pascalName(name)}); rename one of the two`);
    pascals.set(pascalName(name), name);
    const kind = checkKind(name, p, at, add);
    if (kind === 'internal' && `${app}-${name}`.length > MAX_LABEL) {
      add(at(), `gives the service name ${app}-${name} of more than ${MAX_LABEL} characters; use a shorter process name`);
    }
    if (kind === 'release') continue;
    checkCount(p, kind, at, add);
    checkVolumes(p, at, add);
    checkSidecars(name, p, names, at, add);
  }
  checkWriters(app, procs, add);
}

/** allow, uses and alarms: app-level keys that depend on the processes (and on the other apps). */
export function checkAppAccess(app: string, a: Raw, apps: ParsedConfig['apps'], add: Add): void {
  const at = (...k: Path): Path => ['apps', app, ...k];
  const hasWeb = !a.processes || Object.hasOwn(a.processes, WEB_PROCESS);
  if (a.allow) {
    if (!hasWeb) add(at('allow'), 'applies only to an app with a "web" process; remove it');
    if (a.allow.length === 0) add(at('allow'), 'is empty, which would block everyone; list the CIDR blocks to let in, or remove allow');
    if (a.allow.length > MAX_ALLOW) {
      add(at('allow'), `has ${a.allow.length} CIDR blocks; a load-balancer rule takes at most ${MAX_RULE_CONDITION_VALUES} condition values and the host name takes one, so use at most ${MAX_ALLOW} (merge blocks into wider ones)`);
    }
    // The environment's load balancer is IPv4-only (no IpAddressType: "ipv4", the default), so
    // every client reaches it over IPv4 and a source-ip condition's IPv6 block never matches
    // (docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SourceIpConditionConfig.html:
    // the source address is the one that connects to the load balancer).
    a.allow.forEach((c, i) => {
      const cidr = parseCidr(c);
      if (!cidr) add(at('allow', i), `"${c}" is not a CIDR block; use an IPv4 block such as "203.0.113.0/24"`);
      else if (cidr.version === 6) add(at('allow', i), `"${c}" is an IPv6 block, but the load balancer is IPv4-only, so it would never match; list the IPv4 blocks those clients use instead`);
    });
    if (new Set(a.allow).size !== a.allow.length) add(at('allow'), 'lists a CIDR block twice; list each once');
  }
  if (a.alarms !== undefined && a.alarms !== false && !hasWeb) add(at('alarms'), 'applies only to an app with a "web" process (the alarms watch its load-balancer target group); remove it');
  // The load balancer publishes its metrics once a minute (docs.aws.amazon.com/elasticloadbalancing/latest/application/
  // load-balancer-cloudwatch-metrics.html): a 10 or 30 s period mostly has no data point, which the alarm counts as not breaching.
  const period = typeof a.alarms === 'object' ? a.alarms.periodSeconds : undefined;
  if (period !== undefined && period < 60) {
    add(at('alarms', 'periodSeconds'), `${period} never sees a breach: the load balancer publishes its metrics once a minute; use 60, 120 or 300`);
  }
  const internal = new Map<string, { app: string; process: string }>();
  for (const [other, o] of Object.entries(apps)) {
    for (const [pn, p] of Object.entries(o.processes ?? {})) internal.set(`${other}-${pn}`, { app: other, process: pn, ...(p.internal ? {} : { notInternal: true }) });
  }
  (a.uses ?? []).forEach((u, i) => {
    const hit = internal.get(u) as { app: string; process: string; notInternal?: boolean } | undefined;
    if (!hit) {
      add(at('uses', i), `"${u}" is not a process of a configured app; use "<app>-<process>" of an internal process${didYouMean(u, internal.keys())}`);
    } else if (hit.notInternal) {
      add(at('uses', i), `"${u}" is process ${hit.process} of app ${hit.app}, which is not internal; set "internal": true and a port on it`);
    }
  });
}
