/**
 * The IAM evaluation of everything the integration suite made cyclops do (test/iam-suite/): the
 * requests every moto proxy of the run recorded and the invocations that made them, from the suite
 * log (./suite-log.ts). Each request of a cyclops run is mapped to what IAM authorises
 * (./iam-wire.ts) and decided by @cloud-copilot/iam-simulate against the policies `iam-policy --for
 * <level>` renders for the config that run used, in the account its credentials act in: allowed at
 * the command's level (src/iam/commands.ts) and every level above it, and, for a write, denied at
 * `read`. Identical decisions (the same policy, action, resource and context) are made once.
 *
 * Requests the tests made themselves (set-up and checks through the SDK: no cyclops app id) are
 * counted, not judged. Requests that cannot be judged are left out by one of EXCLUDED's named rules.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../src/config/load';
import { COMMAND_LEVELS, commandOf } from '../../src/iam/commands';
import { iamActions } from '../../src/iam/actions';
import { ALWAYS_ALLOWED, EXTRA_REQUIREMENTS, LEVELS, SDK_OPERATIONS, type Level } from '../../src/iam/ops-map';
import { operatorPolicies, whereFor } from '../../src/iam/operator';
import { decide } from './iam-decide';
import { legacyCfnServiceRole } from '../../src/naming';
import { iamRequestsOf, MOTO_ACCOUNT, type IamRequest, type Lookups, type Recorded } from './iam-wire';
import { commandWords, FINISHED, optionOf, readSuiteLines, type Invocation } from './suite-log';

/**
 * Requests of cyclops runs that this evaluation does not judge, each with why. `rule` sees the
 * request, its invocation and the account the invocation's credentials act in.
 */
export const EXCLUDED: { name: string; why: string; rule: (r: Recorded, inv: Invocation, home: string) => boolean }[] = [
  {
    name: 'environment-account',
    why: "made in another account with the role an environment there names (environments.<env>.aws.roleArn): that role's policy is the account stack's, not iam-policy's; iam-eval-accounts.test.ts decides these against the role as the stack holds it",
    rule: (r, _inv, home) => !!r.account && r.account !== home,
  },
  {
    name: 'previous-release-service-role',
    why: "passes the service role of earlier versions (role/<platform>-cloudformation at path \"/\"), which only a platform stack of the previous release names: service-role-move.test.ts builds that state by running commands against it before `bootstrap` moves every stack off it. That release's policies granted it; today's rightly do not (bootstrap first, then the new operator policies: docs/security.md)",
    rule: (r, inv) => {
      const platform = (inv.config as { platform?: { name?: string } } | null)?.platform?.name;
      return !!platform && String(r.fields.RoleARN ?? '').endsWith(`:role/${legacyCfnServiceRole(platform)}`);
    },
  },
];

/**
 * Writes (Service Authorization Reference access level) the read level makes on purpose, each with why.
 * sts:AssumeRole is Write; read commands need it to reach an environment in another account
 * (environments.<env>.aws.roleArn). That role is the environment's deploy role: docs/security.md says
 * what that gives a read operator there.
 */
export const READ_WRITES: { action: string; why: string }[] = [
  { action: 'sts:AssumeRole', why: "read commands reach an environment in another account through the role it names (src/iam/ops-map.ts 'sts.AssumeRole')" },
];

const ORDER: Level[] = ['read', 'deploy', 'admin'];
const atOrAbove = (level: Level) => ORDER.slice(ORDER.indexOf(level));

/**
 * The levels src/iam/ops-map.ts grants each action at. A level above the command's is held to the
 * action unless the table leaves it out on purpose (admin has no ACM, Route 53 record or metrics
 * reads: its policy is at a managed policy's size limit, and the table says so at each row).
 * An action the table does not list (iam:PassRole, rendered apart) is held at every level above.
 */
const GRANTED = new Map<string, Set<Level>>();
for (const [key, u] of Object.entries(SDK_OPERATIONS)) {
  const [svc, op] = key.split('.');
  for (const a of iamActions(svc, op)) GRANTED.set(a, new Set([...(GRANTED.get(a) ?? []), ...u.levels]));
}
for (const r of EXTRA_REQUIREMENTS) GRANTED.set(r.action, new Set([...(GRANTED.get(r.action) ?? []), ...r.levels]));
const heldAt = (level: Level, action: string) => atOrAbove(level).filter((l) => l === level || !GRANTED.has(action) || GRANTED.get(action)!.has(l));

/** What the account held when the request came, as the proxy read it (request-record.mjs). */
function lookupsOf(r: Recorded): Lookups {
  const seen = r.seen ?? {};
  return {
    resourceTags: async (arn) => {
      for (const [id, tags] of Object.entries(seen.tags ?? {})) if (arn === id || arn.endsWith(`/${id}`) || arn.endsWith(`:secret:${id}-AbCdEf`)) return tags;
      return {};
    },
    mountTargetFileSystem: async (id) => seen.fileSystems?.[id],
    taskDefinitionRoles: async (d) => seen.roles?.[d] ?? [],
  };
}


export interface Decision {
  req: IamRequest;
  command: string;
  level: Level;
  platform: string;
  results: Partial<Record<Level, string>>;
}

export interface SuiteEvaluation {
  problems: string[];
  decisions: Decision[];
  figures: Record<string, unknown>;
}

/** The suite log's requests and invocations; a clear error when there is none, or the run that wrote it did not finish. */
export function readSuiteLog(dir: string): { requests: Recorded[]; invocations: Map<string, Invocation> } {
  const how = 'run the integration project first ("npm run build && npx jest --selectProjects integration"; npm test does), or set CYCLOPS_SUITE_LOG to the directory of a finished run';
  if (!existsSync(dir)) throw new Error(`${dir}: no integration suite log; ${how}`);
  if (!existsSync(path.join(dir, FINISHED))) throw new Error(`${dir}: the integration run that wrote this suite log did not finish (no ${FINISHED}); ${how}`);
  const invocations = new Map(readSuiteLines<Invocation>(dir, 'invocations-').map((i) => [i.id, i]));
  return { requests: readSuiteLines<Recorded>(dir, 'requests-'), invocations };
}

export async function evaluateSuite(dir: string): Promise<SuiteEvaluation> {
  const started = Date.now();
  const { requests, invocations } = readSuiteLog(dir);
  const problems: string[] = [];
  const keyAccounts = new Map(requests.filter((r) => r.key && r.account).map((r) => [r.key!, r.account!]));
  const policies = new Map<string, { platform: string; docs: Partial<Record<Level, unknown[]>>; account: string } | { error: string }>();
  const decided = new Map<string, Decision & { policyKey: string; account: string }>();
  const excluded: Record<string, number> = Object.fromEntries(EXCLUDED.map((e) => [e.name, 0]));
  const judgedInvocations = new Set<string>();
  let testRequests = 0;
  let cyclopsRequests = 0;
  let alwaysAllowed = 0;

  /** The policies of one run's config, account and region, rendered once. */
  const policyOf = (inv: Invocation, account: string) => {
    const region = optionOf(inv.args, ['--region']);
    const key = createHash('sha256').update(JSON.stringify([inv.config, inv.configFile, account, region ?? null])).digest('hex');
    if (!policies.has(key)) {
      try {
        const config = parseConfig(inv.config, inv.configFile ?? 'config.json');
        const where = whereFor(config, account, region ?? config.platform.region);
        policies.set(key, { platform: config.platform.name, account, docs: Object.fromEntries(LEVELS.map((l) => [l, operatorPolicies(config, l, where)])) });
      } catch (e) {
        policies.set(key, { error: (e as Error).message.split('\n')[0] });
      }
    }
    return { key, policy: policies.get(key)! };
  };

  for (const r of requests) {
    if (!r.invocation) {
      testRequests += 1;
      continue;
    }
    cyclopsRequests += 1;
    const inv = invocations.get(r.invocation);
    const what = `${r.method} ${r.path} ${r.target ?? r.fields.Action ?? ''}`.trim();
    if (!inv) {
      problems.push(`${what}: made by run ${r.invocation} (${r.command}), which the suite log does not hold`);
      continue;
    }
    const home = (inv.key && keyAccounts.get(inv.key)) || MOTO_ACCOUNT;
    const rule = EXCLUDED.find((e) => e.rule(r, inv, home));
    if (rule) {
      excluded[rule.name] += 1;
      continue;
    }
    const command = commandOf(commandWords(inv.args));
    const level = command ? COMMAND_LEVELS[command] : undefined;
    if (!command || !level || level === 'none') {
      problems.push(`${what}: made by "cyclops ${inv.args.join(' ')}", whose command has no level in src/iam/commands.ts`);
      continue;
    }
    const { key: policyKey, policy } = policyOf(inv, home);
    if ('error' in policy) {
      problems.push(`${what}: made by "cyclops ${inv.args.join(' ')}" with a config iam-policy cannot render (${policy.error})`);
      continue;
    }
    judgedInvocations.add(inv.id);
    let reqs: IamRequest[];
    try {
      reqs = await iamRequestsOf(r, lookupsOf(r));
    } catch (e) {
      problems.push(`${what} (cyclops ${inv.args.join(' ')}): ${(e as Error).message}`);
      continue;
    }
    for (const req of reqs) {
      if (ALWAYS_ALLOWED.includes(req.action)) {
        alwaysAllowed += 1;
        continue;
      }
      const key = JSON.stringify([policyKey, level, req.action, req.resource, req.context]);
      if (!decided.has(key)) decided.set(key, { req, command, level, platform: policy.platform, results: {}, policyKey, account: home });
    }
  }

  // every decision at once: the evaluator awaits AWS's data between its steps
  const all = [...decided.values()];
  await Promise.all(
    all.flatMap((d) => {
      const docs = (policies.get(d.policyKey) as { docs: Record<Level, unknown[]> }).docs;
      const levels = new Set<Level>([...heldAt(d.level, d.req.action), ...(d.req.write ? (['read'] as Level[]) : [])]);
      return [...levels].map(async (l) => (d.results[l] = await decide({ principal: `arn:aws:iam::${d.account}:user/operator`, policies: docs[l] }, d.req, d.account)));
    }),
  );
  for (const { req, level, command, platform, results } of all) {
    const what = `${command} (${level}, platform ${platform}): ${req.action} on ${req.resource}${Object.keys(req.context).length ? ` ${JSON.stringify(req.context)}` : ''}${req.cause !== req.action ? ` for ${req.cause}` : ''}`;
    for (const l of heldAt(level, req.action)) if (results[l] !== 'Allowed') problems.push(`${what}: ${l} ${results[l]}`);
    if (req.write && results.read === 'Allowed' && !READ_WRITES.some((w) => w.action === req.action)) problems.push(`${what}: a write, allowed at read`);
  }
  const figures = {
    invocations: invocations.size,
    invocationsJudged: judgedInvocations.size,
    requestsRecorded: requests.length,
    testRequests,
    cyclopsRequests,
    excluded,
    alwaysAllowed,
    policies: policies.size,
    distinctDecisions: all.length,
    evaluations: all.reduce((n, d) => n + Object.keys(d.results).length, 0),
    actions: new Set(all.map((d) => d.req.action)).size,
    commands: new Set(all.map((d) => d.command)).size,
    writesDeniedAtRead: all.filter((d) => d.req.write && d.results.read !== 'Allowed').length,
    writesAllowedAtReadOnPurpose: all.filter((d) => d.req.write && d.results.read === 'Allowed' && READ_WRITES.some((w) => w.action === d.req.action)).length,
    denials: all.reduce((n, d) => n + Object.values(d.results).filter((x) => x !== 'Allowed').length, 0),
    problems: problems.length,
    evaluationMs: Date.now() - started,
  };
  return { problems, decisions: all.map(({ req, command, level, platform, results }) => ({ req, command, level, platform, results })), figures };
}
