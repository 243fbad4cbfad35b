/**
 * What a valid config may still run into on AWS: quotas that are not errors by themselves.
 * Pure; `cyclops validate` prints them.
 */
import { appsIn, type Config, type EnvironmentConfig } from './model';
import { instanceSpec, tasksPerInstance } from './instances';
import { domainProblems } from './limits-domains';

/** Target groups per load balancer: one per web app, and AWS does not raise it. */
export const MAX_WEB_APPS = 100;
/** The default Elastic IP quota per region; each NAT gateway holds one. */
export const DEFAULT_EIP_QUOTA = 5;

const natGateways = (e: EnvironmentConfig) => (e.network.mode === 'create' ? Math.min(e.network.natGateways, e.network.azs) : 0);

/** awsvpc tasks the environment needs while every service deploys at 200 %: each service twice, each cron task once. */
export function tasksAtDeploy(config: Config, env: string): number {
  let n = 0;
  for (const app of appsIn(config, env)) {
    for (const p of app.processes) n += p.kind === 'cron' ? 1 : 2 * p.count;
  }
  return n;
}

function ec2Warnings(config: Config, env: EnvironmentConfig): string[] {
  if (env.capacity.type !== 'ec2') return [];
  const { instanceType, max } = env.capacity;
  const spec = instanceSpec(instanceType);
  if (!spec) {
    return [`environment ${env.name}: instance type ${instanceType} is not in cyclops's table, so task sizes and network interfaces are not checked against it`];
  }
  const slots = tasksPerInstance(spec) * max;
  const need = tasksAtDeploy(config, env.name);
  if (need <= slots) return [];
  return [
    `environment ${env.name}: ${need} awsvpc tasks while every service deploys at 200 %, but ${max} × ${instanceType} hold only ${slots} (${tasksPerInstance(spec)} each without ENI trunking); raise capacity.max, use a larger instance type, or turn on ENI trunking (docs/templates.md)`,
  ];
}

export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  const webApps = Object.values(config.apps).filter((a) => a.processes.some((p) => p.kind === 'web')).length;
  for (const env of Object.values(config.environments)) {
    if (webApps > MAX_WEB_APPS) {
      out.push(`environment ${env.name}: ${webApps} web apps, more than the ${MAX_WEB_APPS} target groups one load balancer can have (a limit AWS does not raise); split the apps across environments`);
    }
    out.push(...ec2Warnings(config, env));
    out.push(...domainProblems(config, env.name).warnings);
  }
  const nats = Object.values(config.environments).reduce((n, e) => n + natGateways(e), 0);
  if (nats > DEFAULT_EIP_QUOTA) {
    out.push(
      `region ${config.platform.region}: ${nats} NAT gateways across environments, more than the default quota of ${DEFAULT_EIP_QUOTA} Elastic IPs per region; request a higher quota or lower network.natGateways`,
    );
  }
  return out;
}
