/**
 * The release phase's task definition, derived (pure) from the app template a deploy is about
 * to apply: its first task definition's environment, secrets and log configuration with the
 * NEW image, the release command, size and the `release` log stream prefix. The template's
 * intrinsics are resolved here from the env stack's exports and the roles the app's tasks use
 * now, so the task can be registered through the ECS API before the stack changes anything.
 */
import type { TaskDefinitionInput } from '../../aws/ecs';
import type { ReleaseProcessConfig } from '../../config/model';
import { failure } from '../../errors';
import { ENV_OUTPUT, envExport, tags, taskFamily, type EnvOutputKey } from '../../naming';
import type { EnvOutputs } from '../../stacks';
import type { AppTarget } from '../../plan/target';
import { CPU_ARCHITECTURE } from '../../../templates/app-arch';

export const RELEASE_CONTAINER = 'release';

export interface ReleaseTaskContext {
  target: AppTarget;
  image: string;
  release: ReleaseProcessConfig;
  outputs: EnvOutputs;
  region: string;
  /** from the task definition the app's tasks run now: the roles the stack made, and the account */
  executionRoleArn: string;
  taskRoleArn?: string;
  accountId: string;
  partition: string;
  logGroup: string;
  fargate: boolean;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Resolve the intrinsics the app template uses, or fail naming the one it cannot. */
export function resolveIntrinsics(value: Json, c: ReleaseTaskContext): Json {
  const exports = new Map<string, string>();
  for (const [k, name] of Object.entries(ENV_OUTPUT) as [EnvOutputKey, string][]) {
    const v = c.outputs[k];
    if (v !== undefined) exports.set(envExport(c.target.platform, c.target.env, name), v);
  }
  const pseudo: Record<string, string> = { 'AWS::Region': c.region, 'AWS::AccountId': c.accountId, 'AWS::Partition': c.partition, Image: c.image, LogGroup: c.logGroup };
  const fail = (what: string): never => {
    throw failure(`release phase of ${c.target.app} in ${c.target.env}: cannot resolve ${what} of the app template outside CloudFormation; deploy with --skip-release-phase and run the release command with "cyclops run"`);
  };
  const str = (v: Json): string => (typeof v === 'string' ? v : fail(JSON.stringify(v)));
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = v[k];
      if (k === 'Ref') return pseudo[str(arg)] ?? fail(`Ref ${str(arg)}`);
      if (k === 'Fn::GetAtt') {
        const [res, att] = Array.isArray(arg) ? arg : str(arg).split('.');
        if (att === 'Arn' && res === 'ExecutionRole') return c.executionRoleArn;
        if (att === 'Arn' && res === 'TaskRole' && c.taskRoleArn) return c.taskRoleArn;
        return fail(`Fn::GetAtt ${res}.${att}`);
      }
      if (k === 'Fn::ImportValue') return exports.get(str(walk(arg))) ?? fail(`the import ${str(walk(arg))}`);
      if (k === 'Fn::Join') {
        const [sep, list] = arg as [string, Json[]];
        return (walk(list) as Json[]).map(str).join(sep);
      }
      if (k === 'Fn::Split') {
        const [sep, s] = arg as [string, Json];
        return str(walk(s)).split(sep);
      }
      if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [str(arg), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name in vars ? str(walk(vars[name])) : (pseudo[name] ?? fail(`\${${name}}`))));
      }
      if (k.startsWith('Fn::')) return fail(k);
    }
    return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, walk(x)]));
  };
  return walk(value);
}

type Container = {
  Environment?: { Name: string; Value: string }[];
  Secrets?: { Name: string; ValueFrom: string }[];
  LogConfiguration?: { Options: Record<string, string> };
};

/** The release task definition for the rendered template `body`. */
export function releaseTaskDefinition(body: string, c: ReleaseTaskContext): TaskDefinitionInput {
  const template = JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: Record<string, Json> }> };
  const base = Object.values(template.Resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition');
  if (!base) throw failure(`release phase of ${c.target.app} in ${c.target.env}: the app template has no task definition to start from`);
  const props = base.Properties;
  const container = resolveIntrinsics((props.ContainerDefinitions as Json[])[0], c) as unknown as Container;
  const t = c.target;
  return {
    family: taskFamily(t.platform, t.env, t.app, RELEASE_CONTAINER),
    requiresCompatibilities: [c.fargate ? 'FARGATE' : 'EC2'],
    networkMode: 'awsvpc',
    cpu: String(c.release.cpu),
    memory: String(c.release.memory),
    // the architecture the release process runs on, as the app's task definitions do
    ...(c.release.arch ? { runtimePlatform: { cpuArchitecture: CPU_ARCHITECTURE[c.release.arch], operatingSystemFamily: 'LINUX' as const } } : {}),
    executionRoleArn: c.executionRoleArn,
    ...(c.taskRoleArn ? { taskRoleArn: c.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: RELEASE_CONTAINER,
        image: c.image,
        essential: true,
        // the container's hard limit is the task's size (some schedulers want a container limit)
        memory: c.release.memory,
        command: c.release.command,
        environment: (container.Environment ?? []).filter((e) => e.Name !== 'PORT').map((e) => ({ name: e.Name, value: e.Value })),
        secrets: (container.Secrets ?? []).map((s) => ({ name: s.Name, valueFrom: s.ValueFrom })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { ...(container.LogConfiguration?.Options ?? { 'awslogs-group': c.logGroup, 'awslogs-region': c.region }), 'awslogs-stream-prefix': RELEASE_CONTAINER },
        },
      },
    ],
    tags: tags(t).map((x) => ({ key: x.Key, value: x.Value })),
  };
}
