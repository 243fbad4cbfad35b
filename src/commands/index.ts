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
import { register as releases } from './releases';
import { register as rollback } from './rollback';
import { register as scale } from './scale';
import { register as restart } from './restart';
import { register as vars } from './vars';
import { register as secrets } from './secrets';

/** Every command, in the order --help lists them. */
export const commands: Register[] = [init, validate, synth, env, deploy, apps, db, bootstrap, configCmd, ports, unlock, releases, rollback, scale, restart, vars, secrets];
