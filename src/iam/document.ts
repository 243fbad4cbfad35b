/** IAM policy documents: statements built from grants, merged by scope, sorted, stable. */

export interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

const sid = (text: string) => text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _s, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/**
 * One Allow statement per scope, with the union of its actions (sorted, no duplicates).
 * `label` prefixes the Sid ("Deploy" → "DeployStacks").
 */
export function statementsByScope<S extends string>(
  grants: { scope: S; actions: string[] }[],
  arns: (scope: S) => string[],
  label = '',
  conditionOf: (scope: S) => Statement['Condition'] | undefined = () => undefined,
): Statement[] {
  const byScope = new Map<S, Set<string>>();
  for (const grant of grants) {
    const set = byScope.get(grant.scope) ?? new Set<string>();
    for (const a of grant.actions) set.add(a);
    byScope.set(grant.scope, set);
  }
  return [...byScope.entries()]
    .filter(([, actions]) => actions.size > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([scope, actions]) => {
      const condition = conditionOf(scope);
      return { Sid: sid(`${label} ${scope}`), Effect: 'Allow' as const, Action: [...actions].sort(), Resource: arns(scope), ...(condition ? { Condition: condition } : {}) };
    });
}

/** The statement that lets a caller hand the given roles only to the given services. */
export function passRoleStatement(sidText: string, resources: string[], services: string[]): Statement {
  return { Sid: sid(sidText), Effect: 'Allow', Action: ['iam:PassRole'], Resource: resources, Condition: { StringEquals: { 'iam:PassedToService': [...services].sort() } } };
}

/**
 * The service role lives under the platform's IAM path with the roles the stacks make, which may be
 * passed to ECS tasks: it may be passed to CloudFormation alone (its trust admits no other service
 * either; this says so in the policy too).
 */
export function serviceRoleOnlyToCloudFormation(sidText: string, serviceRole: string[]): Statement {
  return { Sid: sid(sidText), Effect: 'Deny', Action: ['iam:PassRole'], Resource: serviceRole, Condition: { StringNotEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } } };
}

/** Characters IAM counts toward a policy's size limit (it ignores whitespace). */
export const policySize = (doc: unknown) => JSON.stringify(doc).replace(/\s+/g, '').length;

/**
 * Statements packed into documents of at most `limit` characters each, in order (managed
 * policies are limited to 6,144 characters; the margin leaves room for pseudo parameters
 * once CloudFormation substitutes them).
 */
export function pack(statements: Statement[], limit = 5500): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  let current: Statement[] = [];
  for (const s of statements.flatMap((st) => split(st, limit))) {
    if (current.length && policySize({ Version: '2012-10-17', Statement: [...current, s] }) > limit) {
      docs.push({ Version: '2012-10-17', Statement: current });
      current = [];
    }
    current.push(s);
  }
  if (current.length) docs.push({ Version: '2012-10-17', Statement: current });
  return docs;
}

/** A statement too large for one document, halved by its actions until each part fits ("Sid1", "Sid2" ...). */
function split(s: Statement, limit: number): Statement[] {
  const fits = (st: Statement) => policySize({ Version: '2012-10-17', Statement: [st] }) <= limit;
  if (fits(s) || s.Action.length < 2) return [s];
  const parts: Statement[] = [];
  const halve = (actions: string[]): void => {
    const candidate = { ...s, Action: actions };
    if (fits(candidate) || actions.length < 2) parts.push(candidate);
    else {
      const mid = Math.ceil(actions.length / 2);
      halve(actions.slice(0, mid));
      halve(actions.slice(mid));
    }
  };
  halve(s.Action);
  return parts.map((p, i) => ({ ...p, Sid: `${s.Sid}${i + 1}` }));
}

/**
 * Statements with the same effect, resources and condition merged into the first of them (the
 * union of their actions): the same permissions in fewer characters (a managed policy holds
 * 6,144, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export function mergeSameResources(statements: Statement[]): Statement[] {
  const byKey = new Map<string, Statement>();
  const out: Statement[] = [];
  for (const s of statements) {
    const key = JSON.stringify([s.Effect, [...s.Resource].sort(), s.Condition ?? null]);
    const had = byKey.get(key);
    if (had) had.Action = [...new Set([...had.Action, ...s.Action])].sort();
    else {
      const copy = { ...s, Action: [...s.Action] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}
