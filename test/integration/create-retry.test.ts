/**
 * A CreateStack whose reply is lost on the way back: moto made the stack, the connection closed
 * before cyclops heard so, and the SDK sent the request again (same ClientRequestToken). moto
 * keeps no tokens and answers the retry AlreadyExistsException; cyclops must recognise the
 * stack as the one its first attempt made and carry on (src/aws/cloudformation.ts,
 * createStack). test/support/hold-proxy.mjs (mode=drop) loses the reply.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../support/global-setup';
import { motoPlatform, OK, outcome, type MotoPlatform } from '../support/moto-platform';
import { allStacks } from '../support/aws-reads';

let proxy: ChildProcess;
let control: string;
let p: MotoPlatform;

beforeAll(async () => {
  const port = await freePort();
  proxy = spawn(process.execPath, [path.join(__dirname, '../support/hold-proxy.mjs'), process.env.MOTO_ENDPOINT!, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => proxy.stdout!.once('data', resolve));
  control = `http://127.0.0.1:${port}`;
  p = await motoPlatform({ platform: 'lostreply', apps: {}, database: 'none', endpoint: control });
});

afterAll(() => {
  proxy?.kill();
  p?.close();
});

test('bootstrap whose CreateStack reply is lost: the retry finds the stack the first attempt made, and bootstrap completes', async () => {
  await fetch(`${control}/__hold?match=${encodeURIComponent('^CreateStack$')}&mode=drop`, { method: 'POST' });
  const r = await p.run('bootstrap');
  expect(outcome(r)).toEqual(OK);
  // the reply really was lost (the proxy dropped it) and cyclops said how it went on
  expect(await fetch(`${control}/__held`).then((x) => x.json())).toEqual({ held: true, operation: 'CreateStack' });
  expect(r.stderr).toContain(`stack ${p.platform}-platform: the reply to CreateStack was lost and its retry found the stack the first attempt created; waiting for it`);
  // one platform stack, complete, as this run created it
  const mine = (await allStacks(p.aws)).filter((s) => s.StackName === `${p.platform}-platform` && s.StackStatus !== 'DELETE_COMPLETE');
  expect(mine.map((s) => s.StackStatus)).toEqual(['CREATE_COMPLETE']);
  expect(mine[0].Tags).toEqual(expect.arrayContaining([{ Key: 'cyclops:platform', Value: p.platform }]));
  // and a rerun converges on it: nothing to create
  const again = await p.run('bootstrap', '--json');
  expect(outcome(again)).toEqual(OK);
});
