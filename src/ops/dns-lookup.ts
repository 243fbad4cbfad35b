/**
 * Public DNS for `status`: does a domain whose zone is elsewhere reach the load balancer? One
 * resolver with a short timeout and one try (node:dns Resolver), so an offline machine or a
 * slow resolver gives "unknown" within seconds and never fails the status.
 * https://nodejs.org/api/dns.html#class-dnspromisesresolver
 */
import { promises as dns } from 'node:dns';

export const DNS_TIMEOUT_MS = 1500;

/** Answers that mean "the name has no such record" (not "could not ask"). */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

const bare = (name: string) => name.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

export async function resolvesTo(name: string, target: string, timeoutMs = DNS_TIMEOUT_MS): Promise<'yes' | 'no' | 'unknown'> {
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  const ask = async <T>(f: () => Promise<T>): Promise<T | 'absent' | 'unknown'> => {
    try {
      return await f();
    } catch (e) {
      return ABSENT.has((e as { code?: string }).code ?? '') ? 'absent' : 'unknown';
    }
  };
  const cname = await ask(() => r.resolveCname(name));
  if (Array.isArray(cname) && cname.some((c) => bare(c) === bare(target))) return 'yes';
  if (cname === 'unknown') return 'unknown';
  // an ALIAS/ANAME (or a flattened CNAME at the apex) answers with addresses: the load balancer's
  const [mine, theirs] = await Promise.all([ask(() => r.resolve4(name)), ask(() => r.resolve4(bare(target)))]);
  if (mine === 'unknown' || theirs === 'unknown') return 'unknown';
  if (mine === 'absent') return 'no';
  if (theirs === 'absent') return 'unknown';
  return mine.some((a) => theirs.includes(a)) ? 'yes' : 'no';
}
