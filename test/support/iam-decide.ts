/** One IAM decision by @cloud-copilot/iam-simulate: identity policies (and a boundary or resource policy) on one request. */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './iam-wire';

export interface Simulated {
  principal: string;
  policies: unknown[];
  boundary?: unknown;
  resourcePolicy?: unknown;
}

/** "Allowed", "ImplicitlyDenied", "ExplicitlyDenied", or "error …" when the evaluator cannot read the request. */
export async function decide(sim: Simulated, req: Pick<IamRequest, 'action' | 'resource' | 'context'>, account: string): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: sim.policies.map((doc, i) => ({ name: `part${i + 1}`, policy: doc })),
      ...(sim.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: sim.boundary }] } : {}),
      ...(sim.resourcePolicy ? { resourcePolicy: sim.resourcePolicy } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action: req.action, principal: sim.principal, resource: { resource: req.resource, accountId: account }, contextVariables: req.context },
    } as never,
    {},
  );
  return result.resultType === 'error' ? `error ${JSON.stringify(result.errors)}` : result.overallResult;
}
