import type { Register } from './types';
import { register as init } from './init';
import { register as validate } from './validate';

/** Every command, in the order --help lists them. */
export const commands: Register[] = [init, validate];
