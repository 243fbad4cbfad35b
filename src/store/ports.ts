/**
 * ports.json: { version: 1, range: [first, last], environments: { env: { app: port } } }.
 * Every write is a compare-and-swap on the ETag, so two processes never hand out the same
 * port; allocations at once combine through request objects (src/store/port-allocation.ts).
 * The file is validated on every read; a corrupt or invalid file is reported and never
 * overwritten.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { CyclopsError, ExitCode, failure, usageError } from '../errors';
import { PORTS_KEY, templateUrl } from '../naming';
import { withCas, type CasOptions } from './cas';
import { getObject, putObject, where, type StoredObject, type Where } from './s3';

const portNumber = z.number().int().min(1).max(65535);
export const portsFileSchema = z
  .strictObject({
    version: z.literal(1),
    range: z.tuple([portNumber, portNumber]).refine(([a, b]) => a <= b, { error: 'first port is above the last' }),
    environments: z.record(z.string(), z.record(z.string(), portNumber)),
  })
  .superRefine((f, ctx) => {
    for (const [env, apps] of Object.entries(f.environments)) {
      const seen = new Map<number, string>();
      for (const [app, port] of Object.entries(apps)) {
        if (port < f.range[0] || port > f.range[1]) {
          ctx.addIssue({ code: 'custom', path: ['environments', env, app], message: `port ${port} is outside the range ${f.range[0]}-${f.range[1]}` });
        }
        const other = seen.get(port);
        if (other) ctx.addIssue({ code: 'custom', path: ['environments', env, app], message: `port ${port} is also given to ${other}` });
        seen.set(port, app);
      }
    }
  });

export type PortsFile = z.infer<typeof portsFileSchema>;

const fixHint = 'fix it by hand or restore an earlier version (the bucket is versioned); cyclops will not overwrite it';

/** Parse and validate ports.json text; a clear error naming the problem otherwise. */
export function parsePorts(body: string, bucket: string): PortsFile {
  const where = `s3://${bucket}/${PORTS_KEY}`;
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    throw failure(`${where}: is not valid JSON (${(e as Error).message}); ${fixHint}`, e, 'ports-invalid');
  }
  const r = portsFileSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new CyclopsError(`${where}: is invalid (${problems[0]}${problems.length > 1 ? `, and ${problems.length - 1} more` : ''}); ${fixHint}`, {
      exitCode: ExitCode.FAILED,
      details: problems.length > 1 ? problems : [],
      code: 'ports-invalid',
    });
  }
  return r.data;
}

export const serializePorts = (f: PortsFile) => JSON.stringify(f, null, 2) + '\n';

export const emptyFile = (range: [number, number]): PortsFile => ({ version: 1, range: [range[0], range[1]], environments: {} });

export interface Current {
  file: PortsFile | null;
  obj: StoredObject | null;
}

export async function readCurrent(w: Where): Promise<Current> {
  const obj = await getObject(w, PORTS_KEY);
  return { obj, file: obj ? parsePorts(obj.body, w.bucket) : null };
}

/** Conditional write: IfMatch the ETag we read, or IfNoneMatch "*" when there was no file. */
export const writeCas = (w: Where, cur: Current, next: PortsFile) =>
  putObject(w, PORTS_KEY, serializePorts(next), cur.obj ? { ifMatch: cur.obj.etag } : { ifNoneMatch: true });

/** One read-modify-write of ports.json, retried on a lost compare-and-swap. */
function casPorts<T>(w: Where, opts: CasOptions, step: (cur: Current) => Promise<T>): Promise<{ value: T; attempts: number }> {
  return withCas(`s3://${w.bucket}/${PORTS_KEY}`, async () => step(await readCurrent(w)), opts);
}

/** The ports file, or null when nobody has written it yet. */
export async function readPorts(aws: Aws, config: Config): Promise<PortsFile | null> {
  return (await readCurrent(where(aws, config))).file;
}

export { lowestFree } from './port-requests';

/** Free an app's port; { port: null } when it had none (nothing is written then). */
export async function releasePort(aws: Aws, config: Config, env: string, app: string, opts: CasOptions = {}): Promise<{ port: number | null; attempts: number }> {
  const w = where(aws, config);
  const { value, attempts } = await casPorts(w, opts, async (cur) => {
    const port = cur.file?.environments[env]?.[app];
    if (!cur.file || port === undefined) return null;
    const apps = { ...cur.file.environments[env] };
    delete apps[app];
    const environments = { ...cur.file.environments, [env]: apps };
    if (!Object.keys(apps).length) delete environments[env];
    await writeCas(w, cur, { ...cur.file, environments });
    return port;
  });
  return { port: value, attempts };
}

export interface PushPortsResult {
  kind: 'ports';
  key: string;
  url: string;
  sha256: string;
  bytes: number;
  changed: boolean;
  created: boolean;
  range: [number, number];
}

/**
 * `config push ports`: create ports.json with the configured range, or move the range of
 * the existing file keeping every allocation. An allocation outside the new range is a
 * usage error that lists the apps; nothing is written then.
 */
export async function pushPortsRange(aws: Aws, config: Config, opts: CasOptions = {}): Promise<PushPortsResult> {
  const w = where(aws, config);
  const range = config.ports.range;
  const { value } = await casPorts(w, opts, async (cur) => {
    const base = cur.file ?? emptyFile(range);
    const outside = Object.entries(base.environments).flatMap(([env, apps]) =>
      Object.entries(apps)
        .filter(([, p]) => p < range[0] || p > range[1])
        .map(([app, p]) => `${app} in ${env} (${p})`),
    );
    if (outside.length) {
      throw usageError(
        `ports.range ${range[0]}-${range[1]} in ${config.file}: leaves out allocated ports of ${outside.join(', ')}; widen the range, or release those ports first with "cyclops ports release APP ENV"`,
      );
    }
    const next: PortsFile = { ...base, range: [range[0], range[1]] };
    const changed = !cur.obj || base.range[0] !== range[0] || base.range[1] !== range[1];
    const body = changed ? serializePorts(next) : cur.obj!.body;
    if (changed) await writeCas(w, cur, next);
    return { body, changed, created: !cur.obj };
  });
  return {
    kind: 'ports',
    key: PORTS_KEY,
    url: templateUrl(w.bucket, aws.region, PORTS_KEY),
    sha256: createHash('sha256').update(value.body).digest('hex'),
    bytes: Buffer.byteLength(value.body),
    changed: value.changed,
    created: value.created,
    range: [range[0], range[1]],
  };
}
