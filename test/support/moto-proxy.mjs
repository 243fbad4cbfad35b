#!/usr/bin/env node
// A pass-through proxy in front of moto_server for the tests.
//
// moto cannot evaluate a bucket policy's conditions: it treats the config bucket's
// "deny unless aws:SecureTransport" statement as denying every object request, TLS or not,
// so a bucket that cyclops bootstrapped would be unusable in moto. This proxy keeps bucket
// policies itself (PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy behave as in S3)
// and forwards every other request to moto untouched. The product is not changed for moto;
// tests still see exactly the policy cyclops wrote.
//
// moto also checks a conditional write (If-Match / If-None-Match) and then stores the object
// without holding a lock, so two writers racing on one key can both pass the check under load
// (seen: 22 concurrent "ports allocate" gave two apps one port while other test files loaded
// the server). S3 makes each conditional write atomic. The proxy therefore lets one write per
// object key through to moto at a time (PUT and DELETE of an object; reads are not held).
//
// moto refuses an UpdateStack that keeps the template and every parameter (UsePreviousTemplate,
// UsePreviousValue) with "No updates are to be performed", even when it names a new RoleARN, and
// given no parameters it keeps the previous ones. The proxy therefore drops the parameters of such
// a request (moveOntoRole below), which moto then treats as CloudFormation treats the original: the
// stack keeps its template and parameters and takes the new role (src/stacks/role.ts).
//
// With CYCLOPS_REQUEST_LOG=<file> it also records every request, one JSON line each, for the
// IAM evaluation of what the suite did: the cyclops command that made it (the SDK's user agent
// carries "app/<id>", set by the test runner from AWS_SDK_UA_APP_ID), the service (SigV4 scope),
// the operation (x-amz-target, the query Action, or S3's method and path) and the identifiers
// and tags of the request (cyclops's tags are names: platform, env, app). Never a value: bodies
// are reduced to the keys listed in KEEP. test/support/iam-wire.ts reads these lines.
//
// Usage: node moto-proxy.mjs <moto-port> <listen-port>
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';

const LOG = process.env.CYCLOPS_REQUEST_LOG;
/** Request fields that name resources (never values such as SecretString or TemplateBody). */
const KEEP = new Set([
  'StackName', 'RoleARN', 'ChangeSetName', 'SecretId', 'Name', 'cluster', 'service', 'services', 'task', 'tasks', 'taskDefinition', 'family',
  'logGroupName', 'logGroupIdentifier', 'logGroupIdentifiers', 'logGroupNames', 'repositoryName', 'FileSystemId', 'MountTargetId', 'AlarmNames', 'AlarmNamePrefix', 'VersionStage',
  'taskRoleArn', 'executionRoleArn', 'enableExecuteCommand', 'containerInstance', 'RoleArn',
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

function record(req, body) {
  if (!LOG) return;
  const ua = `${req.headers['x-amz-user-agent'] ?? ''} ${req.headers['user-agent'] ?? ''}`;
  const command = /app\/cyclops_([A-Za-z0-9_.-]+)/.exec(ua)?.[1];
  // the access key id names the credentials (moto: which account they act in); never the secret
  const [, key, region, service] = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '') ?? [];
  const target = req.headers['x-amz-target'];
  const line = { command: command ?? null, key, service, region, method: req.method, path: req.url, ...(target ? { target } : {}), fields: reduce(body, req.headers['content-type']) };
  appendFileSync(LOG, `${JSON.stringify(line)}\n`);
}

const [motoPort, listenPort] = process.argv.slice(2).map(Number);
const policies = new Map();

function policyRequest(req) {
  const url = new URL(req.url, 'http://x');
  if (!url.searchParams.has('policy')) return null;
  const parts = url.pathname.split('/').filter(Boolean);
  return parts.length === 1 ? parts[0] : null; // path-style: /<bucket>?policy
}

/** The write in flight per object path: the next write to the same key waits for it. */
const writes = new Map();

function serialised(req, forward) {
  if (req.method !== 'PUT' && req.method !== 'DELETE') return forward(() => {});
  const key = new URL(req.url, 'http://x').pathname;
  const before = writes.get(key) ?? Promise.resolve();
  let done;
  const mine = new Promise((r) => (done = r));
  const chained = before.then(() => mine);
  writes.set(key, chained);
  let released = false;
  before.then(() =>
    forward(() => {
      if (released) return;
      released = true;
      done();
      if (writes.get(key) === chained) writes.delete(key);
    }),
  );
}

/**
 * Recording: the whole request is read first (and recorded), then handled from a copy, so the
 * forwarding below never races the recorder for the body.
 */
function recorded(handle) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      record(req, body.toString('utf8'));
      const copy = Readable.from(body.length ? [body] : []);
      Object.assign(copy, { method: req.method, url: req.url, headers: req.headers });
      handle(copy, res);
    });
  };
}

/** An UpdateStack that keeps the template and every parameter and names a role: its body without the parameters; else null. */
function moveOntoRole(body) {
  const q = new URLSearchParams(body);
  if (q.get('Action') !== 'UpdateStack' || q.get('UsePreviousTemplate') !== 'true' || !q.get('RoleARN')) return null;
  const keys = [...q.keys()].filter((k) => /^Parameters\.member\.\d+\.ParameterKey$/.test(k));
  if (!keys.length || !keys.every((k) => q.get(k.replace(/ParameterKey$/, 'UsePreviousValue')) === 'true')) return null;
  for (const k of [...q.keys()]) if (k.startsWith('Parameters.')) q.delete(k);
  return q.toString();
}

/** Form-encoded POSTs are read whole, for moveOntoRole; everything else streams through. */
function rewritten(handle) {
  return (req, res) => {
    if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return handle(req, res);
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const original = Buffer.concat(chunks);
      const moved = moveOntoRole(original.toString('utf8'));
      const body = moved === null ? original : Buffer.from(moved);
      const copy = Readable.from(body.length ? [body] : []);
      Object.assign(copy, { method: req.method, url: req.url, headers: { ...req.headers, 'content-length': String(body.length) } });
      handle(copy, res);
    });
  };
}

const handler = (req, res) => {
  const bucket = policyRequest(req);
  if (bucket) {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'PUT') {
        policies.set(bucket, body);
        res.writeHead(204).end();
      } else if (req.method === 'GET' && policies.has(bucket)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(policies.get(bucket));
      } else if (req.method === 'GET') {
        res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucketPolicy</Code><Message>The bucket policy does not exist</Message></Error>');
      } else if (req.method === 'DELETE') {
        policies.delete(bucket);
        res.writeHead(204).end();
      } else {
        res.writeHead(405).end();
      }
    });
    return;
  }
  serialised(req, (release) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: motoPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on('end', release);
        up.on('close', release);
        up.on('error', release);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      release();
      res.writeHead(502).end(String(e));
    });
    req.pipe(upstream);
  });
};
const server = http.createServer(LOG ? recorded(rewritten(handler)) : rewritten(handler));
server.keepAliveTimeout = 60000;
server.listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
