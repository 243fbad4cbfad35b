/** Pure checks of the image the user typed for a deploy. Bad input: exit 2, nothing touched. */
import { usageError } from '../errors';
import { IMAGE_MAX, IMAGE_RE, isImageReference } from '../naming';

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const m = IMAGE_RE.exec(image);
  if (!m || image.length > IMAGE_MAX) {
    throw usageError(`image "${image}": is not an image reference; use registry/repository:tag or registry/repository@sha256:<64 hex digits>`);
  }
  const [, repository, tag, digest] = m;
  if (!tag && !digest) {
    throw usageError(`image "${image}": has no tag or digest; deploy an explicit version such as ${repository}:1.0.0 or ${repository}@sha256:<digest>`);
  }
  return { repository, tag, digest };
}

/** A string that reads as an image (a tag, a digest, or a registry path), not as an app or env name. */
export function looksLikeImage(text: string): boolean {
  return /[:@/]/.test(text) && isImageReference(text);
}

const MUTABLE_TAGS = new Set(['latest', 'main', 'master', 'stable', 'edge', 'dev', 'develop', 'nightly', 'head', 'prod', 'production', 'staging']);

/** One warning line for a tag that is usually moved (":latest"); null for a digest or a version. */
export function mutableTagWarning(image: string, ref: ImageRef): string | null {
  if (ref.digest || !ref.tag || !MUTABLE_TAGS.has(ref.tag.toLowerCase())) return null;
  return `image ${image}: the tag "${ref.tag}" is mutable, so this release may not say what runs; deploy a version tag or ${ref.repository}@sha256:<digest>`;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * "10m", "1h", "2d", "90s" (that long before `now`) or an ISO 8601 time ("2030-01-01",
 * "2030-01-01T10:00:00Z") → epoch milliseconds; null when it is neither.
 */
export function parseTime(text: string, now: number): number | null {
  const t = text.trim();
  const rel = /^(\d{1,6})\s*([smhdw])$/.exec(t);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]];
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}
