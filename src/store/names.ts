/** The name rules the store applies to the env and app names it is asked about (they live in src/naming.ts). */
export { checkEnv, checkApp, checkAppEnv } from '../naming';
