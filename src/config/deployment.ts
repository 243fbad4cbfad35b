/**
 * `apps.<app>.deployment`: how the web process moves to a new release. ECS runs the four
 * strategies natively (no CodeDeploy) through AWS::ECS::Service DeploymentConfiguration.Strategy.
 *
 * Limits, from AWS's references (and the same in the cfn-lint schema installed here,
 * AWS::ECS::Service definitions DeploymentConfiguration, CanaryConfiguration, LinearConfiguration):
 * - BakeTimeInMinutes: integer 0..1440
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-deploymentconfiguration.html
 * - CanaryConfiguration: CanaryPercent 0.1..100.0 in steps of 0.1 (ECS default 5.0),
 *   CanaryBakeTimeInMinutes 0..1440 (ECS default 10)
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
 * - LinearConfiguration: StepPercent 3.0..100.0 in steps of 0.1 (ECS default 10.0),
 *   StepBakeTimeInMinutes 0..1440 (ECS default 6)
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
 * - CloudFormation refuses a canary deployment whose BakeTimeInMinutes + CanaryBakeTimeInMinutes
 *   exceed 33 hours (its operations time out after 36)
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-service-canaryconfiguration.html
 */
import { z } from 'zod';

export type StrategyName = 'rolling' | 'blue-green' | 'canary' | 'linear';
export const STRATEGIES: StrategyName[] = ['rolling', 'blue-green', 'canary', 'linear'];

/** The ECS name of each strategy (DeploymentConfiguration.Strategy). */
export const ECS_STRATEGY: Record<StrategyName, 'ROLLING' | 'BLUE_GREEN' | 'CANARY' | 'LINEAR'> = {
  rolling: 'ROLLING',
  'blue-green': 'BLUE_GREEN',
  canary: 'CANARY',
  linear: 'LINEAR',
};

export const MAX_BAKE_MINUTES = 1440;
/** CloudFormation's own cap on BakeTimeInMinutes + CanaryBakeTimeInMinutes (33 hours). */
export const MAX_CANARY_TOTAL_MINUTES = 33 * 60;

export interface DeploymentConfig {
  strategy: StrategyName;
  /** minutes both revisions run after all traffic moved, before the old one stops */
  bakeMinutes: number;
  canaryPercent: number;
  canaryBakeMinutes: number;
  stepPercent: number;
  stepBakeMinutes: number;
  /** a test listener rule (header X-Cyclops-Test: 1) reaches the new revision before production does */
  testTraffic: boolean;
}

/** cyclops's defaults: ECS's for the canary and linear steps; a 10-minute bake after the last shift. */
export const DEFAULT_DEPLOYMENT: DeploymentConfig = {
  strategy: 'rolling',
  bakeMinutes: 10,
  canaryPercent: 5,
  canaryBakeMinutes: 10,
  stepPercent: 10,
  stepBakeMinutes: 6,
  testTraffic: false,
};

const minutes = (what: string) =>
  z
    .number({ error: `must be a whole number of minutes (${what})` })
    .int({ error: `must be a whole number of minutes (${what})` })
    .min(0, { error: `must be at least 0 (${what})` })
    .max(MAX_BAKE_MINUTES, { error: `must be at most ${MAX_BAKE_MINUTES} minutes, 24 hours (${what})` });

/** A percent in steps of 0.1 (ECS takes multiples of 0.1). */
const percent = (what: string, min: number) =>
  z
    .number({ error: `must be a number (${what}, percent)` })
    .min(min, { error: `must be at least ${min} (${what}, percent)` })
    .max(100, { error: `must be at most 100 (${what}, percent)` })
    .refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, { error: `must be a multiple of 0.1, such as 5 or 12.5 (${what})` });

export const deploymentSchema = z.strictObject({
  strategy: z.enum(STRATEGIES, { error: `must be one of ${STRATEGIES.map((s) => `"${s}"`).join(', ')}` }).optional(),
  bakeMinutes: minutes('both revisions run after the last traffic shift').optional(),
  canaryPercent: percent('traffic the canary gets', 0.1).optional(),
  canaryBakeMinutes: minutes('time at the canary percent').optional(),
  stepPercent: percent('traffic each linear step moves', 3).optional(),
  stepBakeMinutes: minutes('time between linear steps').optional(),
  testTraffic: z.boolean({ error: 'must be true or false (a test rule, header X-Cyclops-Test: 1, reaches the new revision first)' }).optional(),
});

export type RawDeployment = z.output<typeof deploymentSchema>;

export function resolveDeployment(raw: RawDeployment | undefined): DeploymentConfig {
  const out = { ...DEFAULT_DEPLOYMENT };
  for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

type Path = (string | number)[];

/**
 * Cross-field rules: the strategy needs a web process behind the load balancer, never two
 * copies of a process with a writable volume, and keys that belong to another strategy are
 * refused (they would do nothing).
 */
export function checkDeployment(
  raw: RawDeployment | undefined,
  ctx: {
    at: (...k: Path) => Path;
    hasWeb: boolean;
    webSingleton: boolean;
    testPriorityRoom: boolean;
    /** the web process's host names: APP.<env domain> and the custom domains */
    hostNames: number;
    /** the allow list's CIDRs (each a condition value of the production rule) */
    allowValues: number;
    /** condition values a listener rule holds (src/config/domains.ts) */
    maxRuleValues: number;
  },
  add: (path: Path, message: string) => void,
): void {
  if (!raw) return;
  const d = resolveDeployment(raw);
  const at = (k: string) => ctx.at('deployment', k);
  if (d.strategy === 'rolling') {
    for (const k of ['bakeMinutes', 'canaryPercent', 'canaryBakeMinutes', 'stepPercent', 'stepBakeMinutes', 'testTraffic'] as const) {
      if (raw[k] !== undefined) add(at(k), `has no effect with strategy "rolling"; remove it or set "strategy" to "blue-green", "canary" or "linear"`);
    }
    return;
  }
  if (!ctx.hasWeb) add(at('strategy'), `"${d.strategy}" shifts load-balancer traffic and applies only to an app with a "web" process; remove deployment or add a web process`);
  if (ctx.webSingleton) {
    add(at('strategy'), `"${d.strategy}" runs the old and the new web tasks side by side, and the web process has a writable volume that allows one task at a time; use "rolling" or make the volume "readOnly" or "shared"`);
  }
  if (d.strategy !== 'canary') for (const k of ['canaryPercent', 'canaryBakeMinutes'] as const) if (raw[k] !== undefined) add(at(k), `applies only to strategy "canary"; remove it`);
  if (d.strategy !== 'linear') for (const k of ['stepPercent', 'stepBakeMinutes'] as const) if (raw[k] !== undefined) add(at(k), `applies only to strategy "linear"; remove it`);
  if (d.strategy === 'canary' && d.bakeMinutes + d.canaryBakeMinutes > MAX_CANARY_TOTAL_MINUTES) {
    add(at('canaryBakeMinutes'), `with bakeMinutes ${d.bakeMinutes} makes ${d.bakeMinutes + d.canaryBakeMinutes} minutes, more than the ${MAX_CANARY_TOTAL_MINUTES} (33 hours) CloudFormation accepts; shorten one`);
  }
  // ECS shifts the weights of one production listener rule (and points one test rule): every host
  // name must fit in it, or the other rules would keep forwarding to a target group ECS has drained.
  const values = ctx.hostNames + ctx.allowValues + (d.testTraffic ? 1 : 0);
  if (ctx.hasWeb && values > ctx.maxRuleValues) {
    add(
      at('strategy'),
      `"${d.strategy}" shifts traffic on a single listener rule, and ${ctx.hostNames} host name(s), ${ctx.allowValues} allow CIDR(s)${d.testTraffic ? ' and the test header' : ''} need ${values} condition values, more than the ${ctx.maxRuleValues} a rule holds; use "rolling", or fewer custom domains`,
    );
  }
  if (d.testTraffic && !ctx.testPriorityRoom) {
    add(at('testTraffic'), 'needs a listener-rule priority below the app\'s own (port - range size), and ports.range starts too low for that; start ports.range at or above its size + 1, such as [20000, 29999]');
  }
}
