/**
 * Only src/aws talks to the AWS SDK: no other file under src/ or templates/ imports
 * `@aws-sdk/*` or src/aws/sdk (type-only imports included), and none builds an SDK command
 * (`new ….sdk.…`). The scan reads the files as text, so it also catches code that is never run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** One finding per offending line. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]((?:@aws-sdk\/[^'"]+)|(?:(?:\.\.?\/)+(?:[\w-]+\/)*aws\/sdk(?:\.[jt]s)?))['"]/;
const COMMAND = /\bnew\s+[\w.$]*\bsdk\s*\./;

export function sdkViolations(path: string, text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = IMPORT.exec(line);
    if (m) out.push(`${path}:${i + 1} imports ${m[1]}`);
    else if (COMMAND.test(line)) out.push(`${path}:${i + 1} builds an SDK command`);
  });
  return out;
}

const ROOT = join(__dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mts|cts|js|mjs)$/.test(name) ? [p] : [];
  });
}

const scanned = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'templates'))]
  .map((p) => relative(ROOT, p).split(sep).join('/'))
  .filter((p) => !p.startsWith('src/aws/'));

test('the scan sees the source tree', () => {
  expect(scanned).toEqual(expect.arrayContaining(['src/stacks/apply.ts', 'src/store/s3.ts', 'src/ecs/rollout.ts']));
  expect(scanned.length).toBeGreaterThan(40);
});

test('no file outside src/aws imports the SDK or builds an SDK command', () => {
  const found = scanned.flatMap((p) => sdkViolations(p, readFileSync(join(ROOT, p), 'utf8')));
  expect(found).toEqual([]);
});

describe('the scanner itself', () => {
  test.each([
    ["import { S3Client } from '@aws-sdk/client-s3';", 'imports @aws-sdk/client-s3'],
    ["import type * as Sdk from '../aws/sdk';", 'imports ../aws/sdk'],
    ["import type { Stack } from './aws/sdk'", 'imports ./aws/sdk'],
    ["export * from '@aws-sdk/client-ecs'", 'imports @aws-sdk/client-ecs'],
    ["const m = await import('../aws/sdk');", 'imports ../aws/sdk'],
    ["const c = require('@aws-sdk/client-rds');", 'imports @aws-sdk/client-rds'],
    ['await aws.cfn.send(new aws.sdk.cfn.DescribeStacksCommand({}));', 'builds an SDK command'],
    ['new w.aws.sdk.s3.PutObjectCommand(x)', 'builds an SDK command'],
  ])('flags %s', (line, what) => {
    expect(sdkViolations('src/x.ts', `// header\n${line}\n`)).toEqual([`src/x.ts:2 ${what}`]);
  });

  test('passes code that goes through src/aws', () => {
    const ok = "import * as cfn from '../aws/cloudformation';\nimport type { Aws } from '../aws/client';\nawait cfn.getStack(aws, name);\n";
    expect(sdkViolations('src/x.ts', ok)).toEqual([]);
  });
});
