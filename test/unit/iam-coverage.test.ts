/**
 * No SDK call without a policy line. The operations cyclops calls are read from src/aws
 * itself (every `new aws.sdk.<svc>.<Op>Command(`), whoever adds them; each must have a row in
 * src/iam/ops-map.ts, and the policy of every level that row names must grant its IAM action.
 * Rows for operations no longer called fail too: the policies grant only what is used.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { iamActions, SERVICE_PREFIX } from '../../src/iam/actions';
import { operatorPolicy, whereFor } from '../../src/iam/operator';
import { ALWAYS_ALLOWED, LEVELS, SDK_OPERATIONS } from '../../src/iam/ops-map';
import { testConfig } from './fakes/ops';

const AWS_DIR = path.join(__dirname, '../../src/aws');

/** "svc.Op" → the files that call it. */
function sdkOperations(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of readdirSync(AWS_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(AWS_DIR, file), 'utf8');
    for (const m of text.matchAll(/new\s+aws\.sdk\.(\w+)\.(\w+)Command\s*\(/g)) {
      const key = `${m[1]}.${m[2]}`;
      found.set(key, [...(found.get(key) ?? []), `src/aws/${file}`]);
    }
  }
  return found;
}

// production lives in its own account: the AssumeRole row has a role to name
const config = testConfig({
  environments: {
    staging: { dns: { domain: 'staging.acme.dev', hostedZoneId: 'Z1' }, database: { type: 'none' } },
    production: { aws: { account: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/acme-deploy' }, dns: { domain: 'acme.dev', hostedZoneId: 'Z2' }, database: { type: 'none' } },
  },
});
const policies = Object.fromEntries(LEVELS.map((l) => [l, operatorPolicy(config, l, whereFor(config, '123456789012'))]));
const granted = (level: string) => new Set(policies[level].Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));

describe('IAM coverage of the SDK operations in src/aws', () => {
  const used = sdkOperations();

  test('the scanner finds the operations (it reads the real sources)', () => {
    expect(used.size).toBeGreaterThan(20);
    expect(used.get('cfn.CreateStack')).toEqual(['src/aws/cloudformation.ts']);
    expect(used.has('sts.GetCallerIdentity')).toBe(true);
  });

  test('every operation has a row in src/iam/ops-map.ts', () => {
    const missing = [...used].filter(([op]) => !Object.hasOwn(SDK_OPERATIONS, op)).map(([op, files]) => `${op} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('every service has an IAM prefix (src/iam/actions.ts)', () => {
    expect([...new Set([...used.keys()].map((k) => k.split('.')[0]))].filter((svc) => !SERVICE_PREFIX[svc])).toEqual([]);
  });

  test('the policy of every level a row names grants its IAM actions', () => {
    const lacking: string[] = [];
    for (const [op] of used) {
      const row = SDK_OPERATIONS[op];
      if (!row) continue;
      const [svc, name] = op.split('.');
      for (const level of row.levels) {
        for (const action of iamActions(svc, name)) if (!ALWAYS_ALLOWED.includes(action) && !granted(level).has(action)) lacking.push(`${level}: ${action} (${op})`);
      }
    }
    expect(lacking).toEqual([]);
  });

  test('no row for an operation nothing calls', () => {
    expect(Object.keys(SDK_OPERATIONS).filter((op) => !used.has(op))).toEqual([]);
  });

  test('read grants nothing that writes', () => {
    const writes = [...granted('read')].filter((a) => /:(Create|Delete|Put|Update|Execute|Cancel|Register|Run|Stop|PassRole)/.test(a));
    expect(writes).toEqual([]);
  });
});
