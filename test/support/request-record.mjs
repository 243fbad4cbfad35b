// What moto-proxy.mjs records of a request, for the IAM evaluation of what the suite did
// (test/support/iam-wire.ts reads these lines; test/iam-suite evaluates the whole suite's).
//
// One JSON line per request: the invocation and command that made it (the SDK's user agent carries
// "app/cyclops_<invocation>~<command words>", set by the test runners from AWS_SDK_UA_APP_ID; no app
// id: a request the test made itself), the access key id and the account it acts in, the service
// (SigV4 scope), the operation (x-amz-target, the query Action, or S3's method and path) and the
// identifiers and tags of the request (cyclops's tags are names: platform, env, app). Never a value:
// bodies are reduced to the keys listed in KEEP.
//
// IAM decides some requests on what the account holds at that moment, which is gone by the time the
// suite is evaluated: a resource's tags (aws:ResourceTag) and a task definition's roles. For those
// requests (LOOKUPS, JSON_LOOKUPS, and an IAM user's path) the recorder reads them from moto before the request is forwarded, with the
// request's own credentials, and keeps them in the line ("seen"). The account of each access key is
// read once (sts:GetCallerIdentity; moto checks no signature: the key id names the credentials).
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Request fields that name resources (never values such as SecretString or TemplateBody). */
const KEEP = new Set([
  'StackName', 'RoleARN', 'ChangeSetName', 'SecretId', 'Name', 'cluster', 'service', 'services', 'task', 'tasks', 'taskDefinition', 'family',
  'logGroupName', 'logGroupIdentifier', 'logGroupIdentifiers', 'logGroupNames', 'repositoryName', 'FileSystemId', 'MountTargetId', 'AlarmNames', 'AlarmNamePrefix', 'VersionStage',
  'taskRoleArn', 'executionRoleArn', 'enableExecuteCommand', 'containerInstance', 'RoleArn', 'CertificateArn', 'UserName', 'PathPrefix', 'TopicArn', 'Path', 'PermissionsBoundary',
  'projectName', 'id', 'ids',
]);

/** A request's tags, as a map: ECS [{key, value}], Logs {k: v}, Secrets Manager [{Key, Value}], query Tags.member.N. */
function tagMap(doc) {
  const out = {};
  for (const field of [doc.tags, doc.Tags]) {
    if (Array.isArray(field)) for (const t of field) out[t.key ?? t.Key] = t.value ?? t.Value ?? '';
    else if (field && typeof field === 'object') Object.assign(out, field);
  }
  return out;
}

function reduce(body, contentType) {
  const out = {};
  let tags = {};
  try {
    if (/json/.test(contentType ?? '')) {
      const doc = JSON.parse(body || '{}');
      for (const [k, v] of Object.entries(doc)) if (KEEP.has(k)) out[k] = v;
      tags = tagMap(doc);
      // RunTask may pass other roles than its task definition's
      for (const k of ['taskRoleArn', 'executionRoleArn']) if (doc.overrides?.[k]) out[k] = doc.overrides[k];
    } else if (/^\s*(<\?xml[^>]*>\s*)?<Delete\b/.test(body)) {
      // S3 DeleteObjects: the keys of the batch
      out.Keys = [...body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    } else if (/x-www-form-urlencoded/.test(contentType ?? '')) {
      const params = new URLSearchParams(body);
      for (const [k, v] of params) {
        if (k === 'Action' || KEEP.has(k)) out[k] = v;
        const m = /^Tags\.member\.(\d+)\.Key$/.exec(k);
        if (m) tags[v] = params.get(`Tags.member.${m[1]}.Value`) ?? '';
      }
    }
  } catch {
    // not a body this recorder understands: identifiers only from the path
  }
  return { ...out, ...(Object.keys(tags).length ? { tags } : {}) };
}

/** A request to moto itself (not through the proxy: never recorded) with the credentials of `req`, as `service`. */
function ask(motoPort, req, service, { method = 'POST', path: p = '/', target, body = '', contentType = 'application/x-amz-json-1.1' }) {
  const authorization = String(req.headers.authorization ?? '').replace(/(Credential=[^/]+\/[^/]+\/[^/]+\/)[^/]+\//, `$1${service}/`);
  const headers = { authorization, 'x-amz-date': req.headers['x-amz-date'] ?? '', 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...(target ? { 'x-amz-target': target } : {}) };
  return new Promise((resolve) => {
    const r = http.request({ host: '127.0.0.1', port: motoPort, method, path: p, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(res.statusCode === 200 ? text : null));
    });
    r.on('error', () => resolve(null));
    r.end(body);
  });
}
const json = (text) => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};
const kv = (list) => Object.fromEntries((list ?? []).map((t) => [t.Key ?? t.key, t.Value ?? t.value ?? '']));

/** What IAM reads from the account for these requests, keyed by what the request names. */
const LOOKUPS = {
  // aws:ResourceTag of the file system (a mount target is authorised on its file system)
  'elasticfilesystem DELETE file-systems': async (moto, req, id) => ({ tags: { [id]: kv(json(await ask(moto, req, 'elasticfilesystem', { method: 'GET', path: `/2015-02-01/file-systems?FileSystemId=${id}` }))?.FileSystems?.[0]?.Tags) } }),
  'elasticfilesystem DELETE mount-targets': async (moto, req, id) => {
    const fs = json(await ask(moto, req, 'elasticfilesystem', { method: 'GET', path: `/2015-02-01/mount-targets?MountTargetId=${id}` }))?.MountTargets?.[0]?.FileSystemId;
    if (!fs) return {};
    return { fileSystems: { [id]: fs }, ...(await LOOKUPS['elasticfilesystem DELETE file-systems'](moto, req, fs)) };
  },
};
/** JSON operations whose decision reads the account: the identifier field, the read, and what it keeps. */
const JSON_LOOKUPS = {
  'CertificateManager.DeleteCertificate': { field: 'CertificateArn', target: 'CertificateManager.ListTagsForCertificate', body: (id) => ({ CertificateArn: id }), keep: (out, id) => ({ tags: { [id]: kv(out?.Tags) } }) },
  'secretsmanager.DeleteSecret': { field: 'SecretId', target: 'secretsmanager.DescribeSecret', body: (id) => ({ SecretId: id }), keep: (out, id) => ({ tags: { [id]: kv(out?.Tags) } }) },
  'secretsmanager.RestoreSecret': { field: 'SecretId', target: 'secretsmanager.DescribeSecret', body: (id) => ({ SecretId: id }), keep: (out, id) => ({ tags: { [id]: kv(out?.Tags) } }) },
  'secretsmanager.GetSecretValue': { field: 'SecretId', target: 'secretsmanager.DescribeSecret', body: (id) => ({ SecretId: id }), keep: (out, id) => ({ tags: { [id]: kv(out?.Tags) } }) },
  'AmazonEC2ContainerServiceV20141113.RunTask': {
    field: 'taskDefinition',
    target: 'AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition',
    body: (id) => ({ taskDefinition: id }),
    keep: (out, id) => ({ roles: { [id]: [out?.taskDefinition?.taskRoleArn, out?.taskDefinition?.executionRoleArn].filter(Boolean) } }),
  },
};

const userKey = (req, name) => `${/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1]}/${name}`;

/**
 * moto keeps no permissions boundary on a user (its GetUser has none): the boundary each user was
 * last given through this proxy (CreateUser, PutUserPermissionsBoundary), by access key and name.
 */
const boundaries = new Map();

/** What IAM will read from the account for this request, read now (before moto changes it). */
async function seenBy(motoPort, req, service, fields) {
  const target = req.headers['x-amz-target'];
  const rule = target && JSON_LOOKUPS[target];
  if (rule && typeof fields[rule.field] === 'string') {
    const out = json(await ask(motoPort, req, service, { target: rule.target, body: JSON.stringify(rule.body(fields[rule.field])) }));
    return out ? rule.keep(out, fields[rule.field]) : null;
  }
  if (service === 'iam' && typeof fields.PermissionsBoundary === 'string' && /^(CreateUser|PutUserPermissionsBoundary)$/.test(fields.Action)) boundaries.set(userKey(req, fields.UserName), fields.PermissionsBoundary);
  if (service === 'iam' && typeof fields.UserName === 'string' && fields.Action !== 'CreateUser') {
    // IAM authorises a user's actions on its ARN, which carries its path, and some on its boundary (iam:PermissionsBoundary): as they are now (null: no such user yet)
    const out = await ask(motoPort, req, 'iam', { body: `Action=GetUser&Version=2010-05-08&UserName=${encodeURIComponent(fields.UserName)}`, contentType: 'application/x-www-form-urlencoded' });
    const boundary = /<PermissionsBoundaryArn>([^<]*)<\/PermissionsBoundaryArn>/.exec(out ?? '')?.[1] ?? (out ? boundaries.get(userKey(req, fields.UserName)) : undefined);
    return { users: { [fields.UserName]: out ? { path: /<Path>([^<]*)<\/Path>/.exec(out)?.[1] ?? '/', ...(boundary ? { boundary } : {}) } : null } };
  }
  const m = /^\/2015-02-01\/(file-systems|mount-targets)\/([^/?]+)$/.exec(new URL(req.url, 'http://x').pathname);
  if (service === 'elasticfilesystem' && req.method === 'DELETE' && m) return LOOKUPS[`elasticfilesystem DELETE ${m[1]}`](motoPort, req, decodeURIComponent(m[2]));
  return null;
}

/** The recorder of one proxy process: into CYCLOPS_REQUEST_LOG (a file) and CYCLOPS_SUITE_LOG (a directory, one file per process). */
export function recorder(motoPort, env = process.env) {
  const files = [env.CYCLOPS_REQUEST_LOG, env.CYCLOPS_SUITE_LOG && path.join(env.CYCLOPS_SUITE_LOG, `requests-${process.pid}.jsonl`)].filter(Boolean);
  if (!files.length) return null;
  const accounts = new Map();
  const accountOf = (req, key) => {
    if (!accounts.has(key))
      accounts.set(key, ask(motoPort, req, 'sts', { body: 'Action=GetCallerIdentity&Version=2011-06-15', contentType: 'application/x-www-form-urlencoded' }).then((x) => /<Account>(\d{12})<\/Account>/.exec(x ?? '')?.[1] ?? null));
    return accounts.get(key);
  };
  return async function record(req, body) {
    const ua = `${req.headers['x-amz-user-agent'] ?? ''} ${req.headers['user-agent'] ?? ''}`;
    const [, invocation, command] = /app\/cyclops_(?:([A-Za-z0-9]+)~)?([A-Za-z0-9_.-]+)/.exec(ua) ?? [];
    // the access key id names the credentials (moto: which account they act in); never the secret
    const [, key, region, service] = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '') ?? [];
    const target = req.headers['x-amz-target'];
    const fields = reduce(body, req.headers['content-type']);
    const [account, seen] = key ? await Promise.all([accountOf(req, key), seenBy(motoPort, req, service, fields).catch(() => null)]) : [null, null];
    const line = {
      command: command ?? null,
      ...(invocation ? { invocation } : {}),
      key,
      ...(account ? { account } : {}),
      service,
      region,
      method: req.method,
      path: req.url,
      ...(target ? { target } : {}),
      fields,
      ...(seen ? { seen } : {}),
    };
    for (const f of files) appendFileSync(f, `${JSON.stringify(line)}\n`);
  };
}
