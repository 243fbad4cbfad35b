#!/usr/bin/env node
// Unchanged redeploy against moto: wall time and the number of AWS calls.
// Starts its own moto_server (with MOTO_ECS_SERVICE_RUNNING=1) and the test proxy, bootstraps
// a platform, creates an environment, deploys once, then times N redeploys of the same image.
// Usage: npm run build && node bench/deploy.mjs [runs]
import { startMoto } from './moto.mjs';

const runs = Number(process.argv[2] ?? 5);
const moto = await startMoto({ web: { processes: { web: { port: 8080 }, worker: { command: ['worker'] } }, database: false } });
try {
  moto.cli('bootstrap');
  moto.cli('env', 'create', 'staging');
  moto.cli('deploy', 'nginx:1.27', 'web', 'staging');
  const times = [];
  let calls = [];
  for (let i = 0; i < runs; i++) {
    const r = moto.cli('--verbose', 'deploy', 'nginx:1.27', 'web', 'staging', '--json');
    if (JSON.parse(r.stdout).changed !== false) throw new Error('the redeploy was not a no-op');
    times.push(r.ms);
    calls = r.calls;
  }
  times.sort((a, b) => a - b);
  console.log(`unchanged redeploy against moto, ${runs} runs (node ${process.version})`);
  console.log(`wall time: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms (target < 3000 ms)`);
  const changeSets = calls.filter((c) => /ChangeSet/.test(c)).length;
  const writes = calls.filter((c) => /^CloudFormation\.(Create|Update|Execute|Delete)/.test(c)).length;
  console.log(`AWS calls: ${calls.length} in all, lock included (target <= 6); ${changeSets} change-set calls, ${writes} CloudFormation writes (target 0)`);
  if (calls.length > 6 || changeSets || writes) process.exitCode = 1;
  const counts = {};
  for (const c of calls) counts[c] = (counts[c] ?? 0) + 1;
  for (const [c, n] of Object.entries(counts)) console.log(`  ${String(n).padStart(2)}  ${c}`);
} finally {
  moto.stop();
}
