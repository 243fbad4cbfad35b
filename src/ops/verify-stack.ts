/**
 * Before a stack-applying command records success, the stack must run what it meant to apply:
 * its live parameters and its template digest (the TemplateDigest output). CloudFormation can
 * answer an update with an empty change set, or a stack can be moved by someone else, and a
 * record that trusts the answer would say something runs that does not. The digest is read
 * from the live template (GetTemplate: what the stack runs now), which carries it as its
 * TemplateDigest output's value. The checks are pure; readLive reads.
 */
import { failure } from '../errors';
import { TEMPLATE_DIGEST_OUTPUT } from '../naming';
import type { StackSummary } from '../stacks';
import type { Ops } from './context';

export interface Intended {
  parameters: Record<string, string>;
  /** the template's digest; undefined: not known (an older record), not compared */
  digest?: string;
}

/** The TemplateDigest a template body carries (undefined: none, or not a JSON template). */
export function templateDigestOf(body: string | null): string | undefined {
  if (!body) return undefined;
  try {
    const v = (JSON.parse(body) as { Outputs?: Record<string, { Value?: unknown }> }).Outputs?.[TEMPLATE_DIGEST_OUTPUT]?.Value;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The live stack as the check needs it: its summary and its template's digest. */
export interface LiveStack {
  stack: StackSummary | null;
  templateDigest: string | undefined;
}

/** What differs between the live stack and what was applied, one phrase each; empty when it runs it. */
export function stackDifferences(live: LiveStack, want: Intended): string[] {
  const { stack } = live;
  if (!stack) return ['the stack does not exist'];
  const out: string[] = [];
  const short = (v: string | undefined) => (v === undefined ? 'none' : v.length > 24 ? `${v.slice(0, 12)}…` : v);
  if (want.digest !== undefined && live.templateDigest !== want.digest) {
    out.push(`template digest ${short(live.templateDigest)} (applied ${short(want.digest)})`);
  }
  for (const [k, v] of Object.entries(want.parameters)) {
    if (stack.parameters[k] !== v) out.push(`parameter ${k} is ${stack.parameters[k] === undefined ? 'missing' : `"${short(stack.parameters[k])}"`} (applied "${short(v)}")`);
  }
  return out;
}

/** Exit 1 when the live stack does not run what was applied; the caller records a failure, never a success. */
export function verifyStack(live: LiveStack, stackName: string, want: Intended, command: string): void {
  const diff = stackDifferences(live, want);
  if (!diff.length) return;
  throw failure(
    `stack ${stackName}: does not run what was applied: ${diff.join('; ')}; CloudFormation did not apply the update (or something changed the stack since); nothing is recorded as succeeded; check "aws cloudformation describe-stack-events --stack-name ${stackName}" and run the ${command} again`,
    undefined,
    'stack-mismatch',
  );
}

/** The live stack (`known`: as the stack engine just read it) and its template's digest (GetTemplate). */
export async function readLive(ops: Ops, stackName: string, known?: StackSummary): Promise<LiveStack> {
  const [stack, body] = await Promise.all([known ?? ops.stacks.describe(stackName), ops.stacks.template(stackName)]);
  return { stack, templateDigest: templateDigestOf(body) };
}
