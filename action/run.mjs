#!/usr/bin/env node
/**
 * The action's deploy step: runs `cyclops deploy` (or `promote`, or `destroy` of a preview) with --json --progress json,
 * passes the progress through to the job log, and then writes:
 *   - the step outputs url, release and digest (GITHUB_OUTPUT);
 *   - the job summary (GITHUB_STEP_SUMMARY): URL, release, image digest, duration, the changes.
 * On failure the summary says what failed (the error event's message) and the step fails with
 * cyclops's exit code. Inputs come as INPUT_* variables (the action's `env:`); no secret is
 * taken or printed: credentials are the job's (configure-aws-credentials).
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The cyclops command line for the inputs; an error text for inputs that do not make one. */
export function commandLine(input) {
  const command = input.command || 'deploy';
  const common = ['--json', '--progress', 'json', ...(input.timeout ? ['--timeout', input.timeout] : []), ...(input.config ? ['--config', input.config] : [])];
  if (command === 'deploy') {
    for (const k of ['image', 'app', 'env']) if (!input[k]) return { error: `command deploy needs the input "${k}"` };
    return { args: ['deploy', input.image, input.app, input.env, ...(input.preview ? ['--preview', input.preview] : []), ...common] };
  }
  if (command === 'promote') {
    for (const k of ['app', 'from-env', 'env']) if (!input[k]) return { error: `command promote needs the input "${k}"` };
    return { args: ['promote', input.app, input['from-env'], input.env, ...common] };
  }
  if (command === 'destroy') {
    // the end of a pull request: its preview goes, with the preview's own database
    for (const k of ['app', 'env', 'preview']) if (!input[k]) return { error: `command destroy needs the input "${k}" (only previews are destroyed by the action)` };
    return { args: ['destroy', `${input.app}-${input.preview}`, input.env, '--drop-database', '--yes', ...common] };
  }
  return { error: `command "${command}": use deploy, promote or destroy` };
}

const cell = (v) => String(v ?? '-').replace(/\|/g, '\\|');

/** The job summary's markdown for a finished run. */
export function summary(input, result, error) {
  if (input.command === 'destroy') {
    const name = `${input.app}-${input.preview}`;
    return error ? `### cyclops destroy ${name} in ${input.env}: failed\n\n${error}\n` : `### cyclops destroy ${name} in ${input.env}\n\n${result.deleted === false ? 'It was not deployed.' : `Stack ${cell(result.stack)} deleted.`}\n`;
  }
  const what = input.command === 'promote' ? `promote ${input.app} ${input['from-env']} → ${input.env}` : `deploy ${input.app} to ${input.env}${input.preview ? ` (preview ${input.preview})` : ''}`;
  if (error) return `### cyclops ${what}: failed\n\n${error}\n`;
  const changes = result.changes ?? [];
  const lines = [
    `### cyclops ${what}`,
    '',
    '| | |',
    '|---|---|',
    `| URL | ${result.url ? `<${result.url}>` : '-'} |`,
    `| release | ${cell(result.release?.number)}${result.promotedFrom ? ` (promoted from ${cell(result.promotedFrom.env)} release ${cell(result.promotedFrom.release)})` : ''} |`,
    `| image | \`${cell(result.image)}\` |`,
    `| digest | \`${cell(result.imageDigest)}\` |`,
    `| duration | ${cell(result.duration)}s |`,
    '',
    result.action === 'create' ? `Created stack ${cell(result.stack)}.` : changes.length ? `#### ${changes.length} change(s) to ${cell(result.stack)}` : `No changes to ${cell(result.stack)}.`,
    ...(changes.length ? ['', '| action | resource | type | replacement |', '|---|---|---|---|', ...changes.map((c) => `| ${cell(c.action)} | ${cell(c.logicalId)} | ${cell(c.resourceType)} | ${cell(c.replacement)} |`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** GITHUB_OUTPUT lines: one value each, never more than one line. */
export function outputs(result) {
  const one = (v) => String(v ?? '').replace(/[\r\n]/g, ' ');
  return `url=${one(result?.url)}\nrelease=${one(result?.release?.number)}\ndigest=${one(result?.imageDigest)}\n`;
}

function inputsFromEnv(env) {
  const get = (k) => env[`INPUT_${k.toUpperCase().replace(/-/g, '_')}`] || '';
  return Object.fromEntries(['command', 'image', 'app', 'env', 'from-env', 'preview', 'timeout', 'config'].map((k) => [k, get(k)]));
}

async function main() {
  const input = inputsFromEnv(process.env);
  const line = commandLine(input);
  const write = (file, text) => file && appendFileSync(file, text);
  if (line.error) {
    console.log(`::error title=cyclops::${line.error}`);
    write(process.env.GITHUB_STEP_SUMMARY, summary(input, null, line.error));
    process.exit(2);
  }
  const bin = process.env.CYCLOPS_BIN || path.join(here, '..', 'bin', 'cyclops');
  const child = spawn(process.execPath, [bin, ...line.args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let stdout = '';
  let lastError = '';
  let pending = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const l of lines) {
      process.stderr.write(`${l}\n`); // the progress events, in the job log
      if (l.trim() && !l.startsWith('{')) lastError = l.trim().replace(/^error: /, '');
    }
  });
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (pending.trim()) process.stderr.write(`${pending}\n`);
  if (code !== 0) {
    let reported = '';
    try {
      reported = JSON.parse(stdout).error?.message ?? ''; // --json: the error as data on stdout
    } catch {
      /* no JSON: the last line of stderr says it */
    }
    const msg = reported || lastError || `cyclops exited with code ${code}`;
    if (input.command === 'destroy' && code === 2 && /not deployed in/.test(msg)) {
      // a pull request whose preview never deployed (or was pruned) closes cleanly
      write(process.env.GITHUB_STEP_SUMMARY, summary(input, { deleted: false }));
      write(process.env.GITHUB_OUTPUT, outputs(null));
      return;
    }
    console.log(`::error title=cyclops::${msg.replace(/\r?\n/g, ' ')}`);
    write(process.env.GITHUB_STEP_SUMMARY, summary(input, null, msg));
    write(process.env.GITHUB_OUTPUT, outputs(null));
    process.exit(code);
  }
  const result = JSON.parse(stdout);
  write(process.env.GITHUB_OUTPUT, outputs(result));
  write(process.env.GITHUB_STEP_SUMMARY, summary(input, result));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
