#!/usr/bin/env node
// A second pass-through proxy for the crash tests: it sits in front of the moto proxy and can
// hold one chosen request, so a test can kill the client at that exact point.
//
// Control endpoint (never forwarded):
//   POST /__hold?match=<regex>&mode=request|response
//        arm a hold for the next request whose "operation" matches <regex>. The operation is
//        the SDK's X-Amz-Target (ECS, Logs...), the Action= of a query-protocol body
//        (CloudFormation), or "<METHOD> <path>" for S3 ("PUT /bucket/releases/staging/web.json").
//        mode=request: the request is held before it reaches moto (the write never happens).
//        mode=response: the request goes to moto, and its answer is held (the write happened,
//        the client never hears of it).
//        mode=drop: the request goes to moto, and the client's connection is closed instead of
//        its answer (a reply lost on the way: the SDK retries the request).
//   GET  /__held     {"held": true|false, "operation": "..."}: whether the armed hold caught one
//   POST /__release  let the held request (or answer) go; a killed client's socket is simply
//                    closed, so a held request of a killed client never reaches moto
//   POST /__reset    drop any hold
//
// Usage: node hold-proxy.mjs <upstream-url> <listen-port>
import http from 'node:http';

const [upstreamUrl, listenPort] = process.argv.slice(2);
const upstream = new URL(upstreamUrl);
let armed = null; // { re, mode }
let held = null; // { operation, go: () => void }

function operation(req, body) {
  const target = req.headers['x-amz-target'];
  if (target) return String(target);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  if (action) return action[1];
  return `${req.method} ${new URL(req.url, 'http://x').pathname}`;
}

function forward(req, body, onResponse) {
  const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
    const chunks = [];
    r.on('data', (c) => chunks.push(c));
    r.on('end', () => onResponse(r.statusCode ?? 502, r.headers, Buffer.concat(chunks)));
  });
  up.on('error', (e) => onResponse(502, {}, Buffer.from(String(e))));
  up.end(body);
}

function control(req, res) {
  const url = new URL(req.url, 'http://x');
  const json = (o) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
  if (url.pathname === '/__hold') {
    armed = { re: new RegExp(url.searchParams.get('match') ?? '^$'), mode: url.searchParams.get('mode') ?? 'response' };
    held = null;
    return json({ armed: true });
  }
  if (url.pathname === '/__held') return json({ held: !!held, operation: held?.operation ?? null });
  if (url.pathname === '/__release') {
    const h = held;
    held = null;
    armed = null;
    h?.go();
    return json({ released: !!h });
  }
  if (url.pathname === '/__reset') {
    armed = null;
    held = null;
    return json({ reset: true });
  }
  res.writeHead(404).end();
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/__')) return control(req, res);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const op = operation(req, body.toString('utf8'));
    const reply = (status, headers, data) => {
      if (!res.destroyed) res.writeHead(status, headers).end(data);
    };
    if (armed && !held && armed.re.test(op)) {
      const mode = armed.mode;
      if (mode === 'request') {
        held = { operation: op, go: () => !res.destroyed && forward(req, body, reply) };
      } else if (mode === 'drop') {
        forward(req, body, () => {
          held = { operation: op, go: () => {} };
          armed = null;
          res.socket?.destroy();
        });
      } else {
        forward(req, body, (status, headers, data) => {
          held = { operation: op, go: () => reply(status, headers, data) };
        });
      }
      return;
    }
    forward(req, body, reply);
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(listenPort), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
