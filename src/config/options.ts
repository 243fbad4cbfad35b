/**
 * Global option values, checked like config values before any command runs: one line that
 * names the flag, the problem and the fix; exit 2, nothing touched. Pure: no I/O, no SDK.
 */
import { usageError } from '../errors';
import { REGION_RE } from '../naming';

export interface CheckedOptions {
  region?: string;
  endpointUrl?: string;
  profile?: string;
}

export function checkRegion(region: string, source: string): void {
  if (!REGION_RE.test(region)) {
    throw usageError(`${source} "${region}": is not an AWS region; use a region code such as eu-west-1 or us-east-2`);
  }
}

/** An http(s) URL with a host, such as http://127.0.0.1:5000. */
export function checkEndpoint(url: string, source: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw usageError(`${source} "${url}": is not an http(s) URL; use a URL such as http://127.0.0.1:5000 or https://s3.eu-west-1.amazonaws.com`);
  }
}

/** An AWS profile name as the ini files can hold it. */
export function checkProfileName(name: string, source: string): void {
  if (!/^[\w.+@-]{1,128}$/.test(name)) {
    throw usageError(`${source} "${name}": is not a profile name; use the name of a [profile NAME] section in ~/.aws/config`);
  }
}

/** Called by the CLI before every command action. */
export function validateGlobalOptions(opts: CheckedOptions): void {
  if (opts.region !== undefined) checkRegion(opts.region, '--region');
  if (opts.endpointUrl !== undefined) checkEndpoint(opts.endpointUrl, '--endpoint-url');
  if (opts.profile !== undefined) checkProfileName(opts.profile, '--profile');
}
