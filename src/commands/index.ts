import type { Register } from './types';
import { register as init } from './init';
import { register as synth } from './synth';
import { register as validate } from './validate';
import { register as env } from './env';
import { register as deploy } from './deploy';
import { register as apps } from './apps';
import { register as db } from './db';
import { register as bootstrap } from './bootstrap';
import { register as configCmd } from './config';
import { register as ports } from './ports';
import { register as unlock } from './unlock';
import { register as logs } from './logs';
import { register as runCmd } from './run';
import { register as exec } from './exec';

/** Every command, in the order --help lists them. */
export const commands: Register[] = [init, validate, synth, env, deploy, apps, db, bootstrap, configCmd, ports, unlock, logs, runCmd, exec];
