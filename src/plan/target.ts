/**
 * The validated target of a command: platform, env and (for app commands) app. A command
 * resolves it once, from its arguments and config; every name rule (src/naming.ts) is
 * checked here and nowhere later.
 */
import type { Config } from '../config/model';
import { usageError } from '../errors';
import { checkApp, checkEnv } from '../naming';
import { looksLikeImage, parseImage, type ImageRef } from './inputs';

export interface Target {
  platform: string;
  env: string;
  app?: string;
}
export interface AppTarget extends Target {
  app: string;
}

export function envTarget(config: Config, env: string): Target {
  checkEnv(config, env);
  return { platform: config.platform.name, env };
}

export function appTarget(config: Config, app: string, env: string): AppTarget {
  checkApp(app);
  checkEnv(config, env);
  return { platform: config.platform.name, env, app };
}

/** `deploy IMAGE APP ENV`: the image and the target; swapped arguments are named as such. */
export function deployTarget(config: Config, image: string, app: string, env: string): AppTarget & { image: ImageRef } {
  if (!looksLikeImage(image) && looksLikeImage(app)) {
    throw usageError(`deploy ${image} ${app} ${env}: "${app}" looks like an image and "${image}" like an app name; the image comes first: "cyclops deploy ${app} ${image} ${env}"`);
  }
  if (looksLikeImage(env) && !looksLikeImage(image)) {
    throw usageError(`deploy ${image} ${app} ${env}: "${env}" looks like an image; the order is "cyclops deploy IMAGE APP ENV"`);
  }
  const target = appTarget(config, app, env);
  return { ...target, image: parseImage(image) };
}
