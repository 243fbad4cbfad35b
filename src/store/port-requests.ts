/**
 * Port requests: how many allocations at once share the one ports.json without starving.
 *
 * An allocation that finds no port for its app in ports.json writes a request object
 * (ports-requests/<env>/<app>, a key of its own, so requests never contend). The owner of
 * the oldest request leads and writes ports.json with a port for every pending request; the
 * others wait for their request to be served (src/store/port-allocation.ts; docs/concepts.md,
 * "Ports"; bench/ports-storm.mjs).
 *
 * ports.json stays the one truth: a request is only a wish. The writer that serves a request
 * deletes it, and each allocation deletes its own when it ends (served, failed or refused);
 * the request of a process that died is served by the next writer (its app gets the port the
 * rerun will use) and deleted once stale.
 */
import { isName, NAME_MAX, portRequestKey, portRequestOf, PORT_REQUESTS_PREFIX } from '../naming';
import { deleteObject, listObjects, putObject, type Where } from './s3';

/** What serving needs of ports.json (src/store/ports.ts PortsFile). */
interface Allocations {
  range: [number, number];
  environments: Record<string, Record<string, number>>;
}

/** A request older than this is the leftover of a process that died: served as any other, then deleted. */
export const REQUEST_STALE_MS = 10 * 60_000;

export interface PortRequest {
  env: string;
  app: string;
  key: string;
  at: Date;
}

export const writeRequest = (w: Where, env: string, app: string, holder: string) =>
  putObject(w, portRequestKey(env, app), JSON.stringify({ env, app, by: holder, at: new Date().toISOString() }) + '\n');

/**
 * Delete a request. A failure is not the allocation's failure (the port is in ports.json or
 * the error that ended the allocation is the one to report): a left-over request is served
 * as any other and deleted once stale.
 */
export const dropRequest = (w: Where, key: string) => deleteObject(w, key).catch(() => undefined);

/** Every pending request, oldest first (one LIST per 1000; requests live for seconds). */
export async function pendingRequests(w: Where): Promise<PortRequest[]> {
  const listed = await listObjects(w, PORT_REQUESTS_PREFIX);
  return listed
    .flatMap((o) => {
      const r = portRequestOf(o.key);
      return r && isName(r.env, NAME_MAX.environment) && isName(r.app, NAME_MAX.app) ? [{ ...r, key: o.key, at: o.lastModified }] : [];
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));
}

/** Lowest free port of `env` in `file`; null when the range is full there. */
export function lowestFree(file: Allocations, env: string): number | null {
  const used = new Set(Object.values(file.environments[env] ?? {}));
  for (let p = file.range[0]; p <= file.range[1]; p++) if (!used.has(p)) return p;
  return null;
}

/**
 * The file with a port for every request whose app has none, in request order, each the
 * lowest free of its env (a request in a full env is left unserved). Pure.
 */
export function serve<F extends Allocations>(file: F, requests: Pick<PortRequest, 'env' | 'app'>[]): F {
  const environments = { ...file.environments };
  for (const { env, app } of requests) {
    if (environments[env]?.[app] !== undefined) continue;
    const port = lowestFree({ ...file, environments }, env);
    if (port !== null) environments[env] = { ...environments[env], [app]: port };
  }
  return { ...file, environments };
}

export const isStale = (r: PortRequest, now = Date.now()) => now - r.at.getTime() > REQUEST_STALE_MS;
