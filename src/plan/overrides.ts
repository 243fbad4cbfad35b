/**
 * The escape hatch: config's RFC 6902 JSON Patch operations (`overrides`) applied to a rendered
 * template (fast-json-patch, validating each operation). Config validation renders every
 * template that has overrides (overrideProblems), so an operation that fails is a config error
 * (exit 2) naming it before any command writes anything. Pure.
 */
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { Config, Override } from '../config/model';
import { appsIn } from '../config/model';
import { usageError } from '../errors';

const REASONS: Record<string, string> = {
  OPERATION_PATH_UNRESOLVABLE: 'its path does not exist',
  OPERATION_PATH_CANNOT_ADD: "its path's parent does not exist",
  OPERATION_FROM_UNRESOLVABLE: 'its "from" path does not exist',
  TEST_OPERATION_FAILED: 'the test failed: another value is at its path',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'its path has an array index that is not a number',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'its array index is past the end of the list',
};

type Outcome<T> = { doc: T } | { failed: Override; problem: string };

function tryOverrides<T>(template: T, overrides: Override[], what: string): Outcome<T> {
  let doc = template;
  for (const o of overrides) {
    try {
      // a copy of the value: the template never shares objects with config
      const op = JSON.parse(JSON.stringify(o.op)) as Operation;
      doc = jsonPatch.applyPatch(doc, [op], true, false).newDocument;
    } catch (e) {
      const name = (e as { name?: string }).name ?? '';
      const reason = REASONS[name] ?? String((e as Error).message).split('\n')[0];
      return {
        failed: o,
        problem: `operation "${o.op.op} ${o.op.path}": ${reason} in the rendered template of ${what}; fix the operation ("cyclops synth" prints the template it patches), or remove it`,
      };
    }
  }
  return { doc };
}

export function applyOverrides<T>(template: T, overrides: Override[], what: string): T {
  const r = tryOverrides(template, overrides, what);
  if ('doc' in r) return r.doc;
  throw usageError(`${r.failed.at}: ${r.problem}`);
}

/**
 * Each failing operation of the config, with its key path: every environment template and every
 * app template (in each environment) that has overrides is rendered without them and patched.
 */
export function overrideProblems(
  config: Config,
  render: { cluster: (env: string) => unknown; app: (env: string, app: string) => unknown },
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const check = (overrides: Override[], what: string, template: () => unknown) => {
    if (!overrides.length) return;
    let t: unknown;
    try {
      t = template();
    } catch {
      return; // the config's other problems are reported by their own rules
    }
    const r = tryOverrides(t, overrides, what);
    if ('failed' in r) out.push({ path: r.failed.at.replace(/\[(\d+)\]$/, '.$1').split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)), message: r.problem });
  };
  for (const env of Object.values(config.environments)) {
    check(env.overrides, `environment ${env.name}`, () => render.cluster(env.name));
    for (const app of appsIn(config, env.name)) check(app.overrides, `${app.name} in ${env.name}`, () => render.app(env.name, app.name));
  }
  return out;
}
