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
// With CYCLOPS_REQUEST_LOG=<file> (one test's log) or CYCLOPS_SUITE_LOG=<directory> (the whole
// integration suite's: requests-<pid>.jsonl, one file per proxy process) it also records every
// request, one JSON line each, for the IAM evaluation of what the suite did (request-record.mjs).
//
// It also rewrites moto's CodeBuild times to epoch seconds (codeBuildTimes, below).
//
// Usage: node moto-proxy.mjs <moto-port> <listen-port>
import http from 'node:http';
import { Readable } from 'node:stream';
import { recorder } from './request-record.mjs';

const [motoPort, listenPort] = process.argv.slice(2).map(Number);
const record = recorder(motoPort);
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
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      await record(req, body.toString('utf8')).catch((e) => process.stderr.write(`moto-proxy: not recorded: ${e}\n`));
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
        if (String(req.headers['x-amz-target'] ?? '').startsWith('CodeBuild_')) return codeBuildTimes(up, res, release);
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
// moto's CodeBuild writes build times (startTime, endTime, phases' times) as ISO strings where
// the JSON protocol has epoch seconds, and the SDK refuses the reply ("Expected real number").
// The proxy rewrites those fields to epoch seconds; nothing else in the reply changes.
const CODEBUILD_TIMES = new Set(['startTime', 'endTime', 'created', 'lastModified']);
function epochTimes(v) {
  if (Array.isArray(v)) return v.map(epochTimes);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, CODEBUILD_TIMES.has(k) && typeof x === 'string' && !Number.isNaN(Date.parse(x)) ? Date.parse(x) / 1000 : epochTimes(x)]));
}
function codeBuildTimes(up, res, release) {
  const chunks = [];
  up.on('data', (c) => chunks.push(c));
  up.on('error', release);
  up.on('end', () => {
    release();
    let body = Buffer.concat(chunks);
    try {
      body = Buffer.from(JSON.stringify(epochTimes(JSON.parse(body.toString('utf8')))));
    } catch {
      // not JSON: as it came
    }
    const headers = { ...up.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    res.writeHead(up.statusCode ?? 502, headers).end(body);
  });
}

const server = http.createServer(record ? recorded(rewritten(handler)) : rewritten(handler));
server.keepAliveTimeout = 60000;
server.listen(listenPort, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
