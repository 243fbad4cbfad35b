/**
 * Per-environment app settings (`apps.<app>.environments.<env>`): deep-merged over the app's
 * own settings. Objects merge key by key at every depth (processes, a process's count bounds,
 * env, secrets, alarms); anything else (numbers, strings, booleans, lists such as `domains`,
 * `allow` or `command`) is replaced whole by the environment's value. Pure.
 */

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlain(base) || !isPlain(over)) return (over === undefined ? base : over) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = Object.hasOwn(base, k) ? deepMerge(base[k], v) : v;
  }
  return out as T;
}

/** The app's settings in one environment: its `environments.<env>` merged over the rest (which loses `environments`). */
export function mergedAppSettings<A extends { environments?: Record<string, unknown> }>(app: A, env: string): Omit<A, 'environments'> {
  const { environments, ...base } = app;
  const over = environments?.[env] as { overrides?: unknown[] } | undefined;
  if (over === undefined) return base;
  const merged = deepMerge(base, over) as Omit<A, 'environments'> & { overrides?: unknown[] };
  // Patches add up: the app's apply first, then the environment's.
  const own = (base as { overrides?: unknown[] }).overrides;
  if (own && over.overrides) merged.overrides = [...own, ...over.overrides];
  return merged;
}
