/**
 * The first deploy of an app with a release phase creates its stack with HoldTasks "true"
 * (src/ops/first-release.ts): no task may start until the phase has run. These tests resolve
 * the rendered template's conditions the way CloudFormation does (Fn::Equals/Not on the
 * parameter, Fn::If, AWS::NoValue, a resource's Condition) for both values of the parameter,
 * and check what ECS, Application Auto Scaling and EventBridge would be given.
 */
import { renderApp } from '../../src/plan';
import { rawStateful, stateful, withRelease } from './fixtures';

type Json = any;

/** The template as CloudFormation would apply it with `params` (only what these templates use). */
function resolve(template: Json, params: Record<string, string>): Record<string, Json> {
  const conditions: Record<string, boolean> = {};
  const value = (v: Json): Json => (v && typeof v === 'object' && 'Ref' in v && v.Ref in params ? params[v.Ref] : v);
  const cond = (c: Json): boolean => {
    if ('Condition' in c) return conditions[c.Condition] ?? cond(template.Conditions[c.Condition]);
    if ('Fn::Equals' in c) return value(c['Fn::Equals'][0]) === value(c['Fn::Equals'][1]);
    if ('Fn::Not' in c) return !cond(c['Fn::Not'][0]);
    throw new Error(`condition ${JSON.stringify(c)}`);
  };
  for (const [k, c] of Object.entries(template.Conditions ?? {})) conditions[k] = cond(c);
  const NO = Symbol('no value');
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== NO);
    if (!v || typeof v !== 'object') return v;
    if ('Fn::If' in v) {
      const [c, yes, no] = v['Fn::If'];
      return walk(conditions[c] ? yes : no);
    }
    if (v.Ref === 'AWS::NoValue') return NO;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]).filter(([, x]) => x !== NO));
  };
  return Object.fromEntries(
    Object.entries(template.Resources as Record<string, Json>)
      .filter(([, r]) => !r.Condition || conditions[r.Condition])
      .map(([id, { Condition: _applied, ...r }]) => [id, walk(r)]),
  );
}

const ofType = (r: Record<string, Json>, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);
const held = (t: Json) => resolve(t, { HoldTasks: 'true' });
const serving = (t: Json) => resolve(t, { HoldTasks: 'false' });

describe('HoldTasks: no task of a new app starts before its release phase', () => {
  const config = withRelease(rawStateful());
  // search: an autoscaled web, an autoscaled internal API and a worker of 2; shop: services and two crons
  const search = renderApp(config, 'staging', 'search', { port: 20001 });
  const shop = renderApp(config, 'staging', 'shop', { port: 20002 });

  test('held: every service is created with DesiredCount 0, no scalable target or policy exists, every cron rule is disabled', () => {
    for (const t of [search, shop]) {
      const r = held(t);
      const services = ofType(r, 'AWS::ECS::Service');
      expect(services.length).toBeGreaterThan(1);
      for (const [, s] of services) expect(s.Properties.DesiredCount).toBe(0);
      expect(ofType(r, 'AWS::ApplicationAutoScaling::ScalableTarget')).toEqual([]);
      expect(ofType(r, 'AWS::ApplicationAutoScaling::ScalingPolicy')).toEqual([]);
    }
    const rules = ofType(held(shop), 'AWS::Events::Rule');
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) expect(rule.Properties.State).toBe('DISABLED');
  });

  test('released: counts come from their parameters, autoscaled services leave DesiredCount to their scalable targets, crons run', () => {
    const r = serving(search);
    expect(r.IndexerService.Properties.DesiredCount).toEqual({ Ref: 'IndexerCount' });
    // no DesiredCount: CloudFormation keeps the service's count, and registering the target moves it into MIN..MAX
    expect(r.WebService.Properties).not.toHaveProperty('DesiredCount');
    expect(r.ApiService.Properties).not.toHaveProperty('DesiredCount');
    expect(r.WebScalableTarget.Properties).toMatchObject({ MinCapacity: { Ref: 'WebMin' }, MaxCapacity: { Ref: 'WebMax' } });
    expect(ofType(r, 'AWS::ApplicationAutoScaling::ScalingPolicy').length).toBeGreaterThan(2);
    for (const [, rule] of ofType(serving(shop), 'AWS::Events::Rule')) expect(rule.Properties.State).toBe('ENABLED');
  });

  test('released is what an app without a release phase renders, apart from the parameter', () => {
    const plain = renderApp(stateful(), 'staging', 'search', { port: 20001 }) as Json;
    expect(plain.Parameters).not.toHaveProperty('HoldTasks');
    expect(serving(search)).toEqual(resolve(plain, {}));
  });
});
