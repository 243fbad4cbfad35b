/** Pure checks of what the user typed for a deploy. Bad input: exit 2, nothing touched. */
import type { Config } from '../config/model';
import { usageError } from '../errors';
import { checkAppEnv } from '../store/names';

// Docker's reference grammar: [host[:port]/]path[:tag][@sha256:digest], path in lowercase components.
const HOST = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const IMAGE_RE = new RegExp(String.raw`^(${HOST}?${COMPONENT}(?:/${COMPONENT})*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const m = IMAGE_RE.exec(image);
  if (!m || image.length > 255) {
    throw usageError(`image "${image}": is not an image reference; use registry/repository:tag or registry/repository@sha256:<64 hex digits>`);
  }
  const [, repository, tag, digest] = m;
  if (!tag && !digest) {
    throw usageError(`image "${image}": has no tag or digest; deploy an explicit version such as ${repository}:1.0.0 or ${repository}@sha256:<digest>`);
  }
  return { repository, tag, digest };
}

export function checkDeployInputs(config: Config, image: string, app: string, env: string): ImageRef {
  checkAppEnv(config, app, env);
  return parseImage(image);
}
