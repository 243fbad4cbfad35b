#!/usr/bin/env node
/**
 * The action's first step: how long a session of the deploy role to ask for. The role's
 * session must outlive the deploy's longest wait, so it is the --timeout plus ten minutes,
 * rounded up to the hour (at least one hour, STS's default). IAM's ceiling is 12 hours (the
 * role's MaxSessionDuration, which `bootstrap --github` sets to it): a --timeout longer than
 * 11h50m is refused here, before any credential is asked for, because the credentials would
 * expire in the middle of the wait. Writes `seconds` to GITHUB_OUTPUT.
 */
import { appendFileSync } from 'node:fs';

/** IAM's maximum session of a role (MaxSessionDuration), and the margin kept after the timeout. */
export const SESSION_MAX = 43200;
const MARGIN = 600;

/** A --timeout as cyclops reads it: seconds, or with a unit (90s, 15m, 1h); null when it is not one. */
export function timeoutSeconds(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(String(text));
  if (!m) return null;
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase()];
  return n > 0 ? Math.round(n) : null;
}

export function sessionFor(timeout) {
  const t = timeoutSeconds(timeout);
  if (t === null) return { error: `timeout "${timeout}": not a duration; use seconds or 90s, 15m, 1h` };
  if (t + MARGIN > SESSION_MAX) {
    return { error: `timeout ${timeout} (${t}s) is longer than the deploy role's 12-hour session allows (11h50m with its ten-minute margin); the credentials would expire mid-deploy; use a shorter timeout` };
  }
  return { seconds: Math.max(3600, Math.ceil((t + MARGIN) / 3600) * 3600) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = sessionFor(process.env.INPUT_TIMEOUT || '3600');
  if (r.error) {
    console.log(`::error title=cyclops::${r.error}`);
    process.exit(2);
  }
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `seconds=${r.seconds}\n`);
  console.log(`role session: ${r.seconds}s`);
}
