/**
 * Moving a platform off the CloudFormation service role of earlier versions (`<platform>-cloudformation`
 * at path "/") onto the role under its IAM path (src/naming.ts cfnServiceRole). IAM cannot change a
 * role's path, and every stack keeps using the role it was last given for its updates, rollbacks and
 * deletes, so the move is side by side and resumable at every step:
 *   1. the platform (or account) stack gets the new role next to the old one, which keeps its policies;
 *      from then on every command passes the new role (the ServiceRoleArn output names it);
 *   2. every env and app stack (previews included) that records the old role is updated onto the
 *      new one, its template and parameters unchanged (src/stacks/role.ts), app stacks under their lock;
 *   3. only when none is left is the old role removed, in a further update of the platform stack.
 * A stack that cannot be moved keeps the old role (and the old role stays); the command says which
 * and fails, and a rerun carries on where it stopped.
 */
import { CyclopsError, ExitCode, isCyclopsError } from '../errors';
import { say } from '../events';
import { cfnServiceRole, envStack, iamPath, legacyCfnServiceRole, SERVICE_ROLE_ID } from '../naming';
import type { LegacyServiceRole } from '../../templates/platform';
import type { OpsIn } from './account';
import type { Ops } from './context';
import { withAppLock } from './lock';

export interface RoleMove {
  /** stacks now on the new role */
  moved: string[];
  /** stacks that still record the old role, and why */
  stuck: { stack: string; reason: string }[];
}

type Resources = Record<string, { Type?: string; Properties?: { Roles?: unknown[] } }>;

/**
 * Whether the live platform (or account) stack still has the role of earlier versions: with its
 * policies (true), without them ('detached': the step before its removal), or not (false).
 */
export async function hasLegacyRole(ops: Ops, stackName: string): Promise<LegacyServiceRole> {
  const body = await ops.stacks.template(stackName);
  if (!body) return false;
  let resources: Resources;
  try {
    resources = (JSON.parse(body) as { Resources?: Resources }).Resources ?? {};
  } catch {
    return /\bServiceRole\s*:\s*\n\s+Type:\s*['"]?AWS::IAM::Role/.test(body); // a template someone rewrote as YAML: treat its policies as attached
  }
  if (!resources[SERVICE_ROLE_ID.legacy]) return false;
  const attached = Object.values(resources).some((r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties?.Roles ?? []).includes(`"${SERVICE_ROLE_ID.legacy}"`));
  return attached ? true : 'detached';
}

/** The old role's ARN in the account and partition of a role ARN. */
export const legacyRoleArn = (roleArn: string, platform: string) => roleArn.replace(/:role\/.*$/, `:role/${legacyCfnServiceRole(platform)}`);
/** The new role's ARN (under the platform's path) in the account and partition of a role ARN. */
export const currentRoleArn = (roleArn: string, platform: string) => roleArn.replace(/:role\/.*$/, `:role${iamPath(platform)}${cfnServiceRole(platform)}`);

const reasonOf = (e: unknown) => [(e as Error).message, ...(isCyclopsError(e) ? (e.details ?? []) : [])].join('; ');

/**
 * Move every env and app stack of `envs` that records `legacy` onto `roleArn`, one environment
 * after another (where each lives: `opsIn`). One that cannot be moved is reported in `stuck` and
 * the others go on; Ctrl-C stops at once (a rerun carries on).
 */
export async function moveStacks(ops: Ops, opsIn: OpsIn, envs: string[], roleArn: string, legacy: string, opts: { timeoutSeconds?: number }): Promise<RoleMove> {
  const out: RoleMove = { moved: [], stuck: [] };
  const platform = ops.config.platform.name;
  const attempt = async (stack: string, fn: () => Promise<'moved' | 'unchanged' | 'gone'>) => {
    try {
      if ((await fn()) === 'moved') {
        out.moved.push(stack);
        say.success(ops.events, 'bootstrap.service-role.moved', { stack, roleArn }, `stack ${stack}: now on role ${roleArn}`);
      }
    } catch (e) {
      if (isCyclopsError(e) && e.exitCode === ExitCode.INTERRUPTED) throw e;
      out.stuck.push({ stack, reason: reasonOf(e) });
      say.warn(ops.events, 'bootstrap.service-role.stuck', { stack, reason: reasonOf(e) }, `stack ${stack}: still on role ${legacy}: ${reasonOf(e)}`);
    }
  };
  for (const env of envs) {
    const name = envStack(platform, env);
    let at: Ops;
    let apps: { name: string; app: string }[];
    let envOnLegacy: boolean;
    try {
      at = await opsIn(env);
      const [stack, appStacks] = await Promise.all([at.stacks.describe(name), at.stacks.listAppStacks(env)]);
      envOnLegacy = stack?.roleArn === legacy;
      apps = appStacks.filter((s) => s.roleArn === legacy).map((s) => ({ name: s.name, app: s.app }));
    } catch (e) {
      if (isCyclopsError(e) && e.exitCode === ExitCode.INTERRUPTED) throw e;
      out.stuck.push({ stack: `${name} (and its apps)`, reason: reasonOf(e) });
      say.warn(ops.events, 'bootstrap.service-role.stuck', { stack: name, reason: reasonOf(e) }, `environment ${env}: its stacks could not be read, so they may still use role ${legacy}: ${reasonOf(e)}`);
      continue;
    }
    if (!apps.length && !envOnLegacy) continue;
    say.step(ops.events, 'bootstrap.service-role.moving', { env, stacks: [...(envOnLegacy ? [name] : []), ...apps.map((a) => a.name)], roleArn }, `environment ${env}: moving ${apps.length + (envOnLegacy ? 1 : 0)} stack(s) onto role ${roleArn}`);
    // apps first, each under its lock (no deploy changes it meanwhile); then the env stack
    for (const a of apps) {
      await attempt(a.name, () => withAppLock(at, { platform, env, app: a.app }, 'service role move', ({ signal }) => at.stacks.moveRole(a.name, roleArn, { timeoutSeconds: opts.timeoutSeconds, signal })));
    }
    if (envOnLegacy) await attempt(name, () => at.stacks.moveRole(name, roleArn, { timeoutSeconds: opts.timeoutSeconds, signal: ops.signal }));
  }
  return out;
}

/**
 * Steps 2 and 3 after the platform (or account) stack `stackName` was applied with both roles:
 * move the stacks, then remove the old role (`removeLegacy`: the stack applied with it 'detached'
 * from its policies, then without it; IAM deletes a role only without policies, and CloudFormation
 * may delete a removed resource before it updates the others), or, when some stack could not be
 * moved, keep the old role and fail naming them.
 */
export async function finishRoleMove(
  ops: Ops,
  input: { stackName: string; legacyInTemplate: LegacyServiceRole; roleArn: string | undefined; envs: string[]; opsIn: OpsIn; timeoutSeconds?: number; removeLegacy: (step: 'detached' | false) => Promise<unknown> },
): Promise<RoleMove & { removed: boolean }> {
  if (!input.roleArn) return { moved: [], stuck: [], removed: false };
  if (!/^arn:[^:]+:iam::\d{12}:role\//.test(input.roleArn)) {
    throw new CyclopsError(`stack ${input.stackName}: its ServiceRoleArn output is "${input.roleArn}", not a role ARN; nothing was moved and no role removed; check the stack in the CloudFormation console, then run the command again`, { exitCode: ExitCode.FAILED });
  }
  // both from naming.ts, in the output's account: never "moved onto" the old role by a stale output
  const platform = ops.config.platform.name;
  const [roleArn, legacy] = [currentRoleArn(input.roleArn, platform), legacyRoleArn(input.roleArn, platform)];
  const move = await moveStacks(ops, input.opsIn, input.envs, roleArn, legacy, { timeoutSeconds: input.timeoutSeconds });
  if (move.stuck.length) {
    throw new CyclopsError(
      `${move.stuck.length} stack(s) still use the service role ${legacy}, so stack ${input.stackName} keeps it; fix what is named below, then run "cyclops bootstrap" again (it carries on from here)`,
      { exitCode: ExitCode.FAILED, details: move.stuck.map((s) => `${s.stack}: ${s.reason}`), code: 'service-role-kept' },
    );
  }
  if (!input.legacyInTemplate) return { ...move, removed: false };
  say.step(ops.events, 'bootstrap.service-role.removing', { stack: input.stackName, roleArn: legacy }, `no stack uses role ${legacy} any more; removing it from stack ${input.stackName}`);
  if (input.legacyInTemplate === true) await input.removeLegacy('detached');
  await input.removeLegacy(false);
  return { ...move, removed: true };
}

/** The environments whose stacks use this account's roles (no aws.account, or this one), and the others. */
export async function envsByAccount(ops: Ops): Promise<{ here: string[]; elsewhere: { env: string; account: string }[] }> {
  const envs = Object.values(ops.config.environments);
  const account = envs.some((e) => e.aws?.account) ? await ops.identity.account() : undefined;
  return {
    here: envs.filter((e) => !e.aws?.account || e.aws.account === account).map((e) => e.name).sort(),
    elsewhere: envs.flatMap((e) => (e.aws?.account && e.aws.account !== account ? [{ env: e.name, account: e.aws.account }] : [])),
  };
}

/**
 * Environments in other accounts run with their own account's service role (`bootstrap --env`):
 * say which still use (or, unreadable, may use) the old one there. Their old role is not this
 * account's, so it does not keep this one's.
 */
export async function reportOtherAccounts(ops: Ops, opsIn: OpsIn, elsewhere: { env: string; account: string }[]): Promise<void> {
  const platform = ops.config.platform.name;
  for (const { env, account } of elsewhere) {
    const next = `run "cyclops bootstrap --env ${env}" with that account's credentials to move them`;
    try {
      const at = await opsIn(env);
      const [stack, apps] = await Promise.all([at.stacks.describe(envStack(platform, env)), at.stacks.listAppStacks(env)]);
      const old = [stack, ...apps].filter((s) => s?.roleArn?.endsWith(`:role/${legacyCfnServiceRole(platform)}`)).map((s) => s!.name);
      if (old.length) say.warn(ops.events, 'bootstrap.service-role.other-account', { env, account, stacks: old }, `environment ${env} (account ${account}): ${old.length} stack(s) still use the old service role there; ${next}`);
    } catch (e) {
      if (isCyclopsError(e) && e.exitCode === ExitCode.INTERRUPTED) throw e;
      say.warn(ops.events, 'bootstrap.service-role.other-account', { env, account, stacks: [], reason: reasonOf(e) }, `environment ${env} (account ${account}): could not read its stacks (${reasonOf(e)}); if they still use the old service role, ${next}`);
    }
  }
}
