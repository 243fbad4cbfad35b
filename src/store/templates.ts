/**
 * Templates in the config bucket, content-addressed: templates/<scope>/<sha256>.json. The
 * same content is uploaded once. A small pointer, templates/<scope>/latest.json, says which
 * one was pushed last, so `config read` shows the latest push even when it re-pushed old content.
 */
import { createHash } from 'node:crypto';
import type { Aws } from '../aws/client';
import type { Config } from '../config/model';
import { failure } from '../errors';
import { templateKey, templateLatestKey, templatePrefix, templateUrl, type Ids, type TemplateKind } from '../naming';
import { getObject, headObject, isWriteConflict, listObjects, putObject, where } from './s3';

export type { TemplateKind };

export interface PushResult {
  kind: TemplateKind | 'ports';
  key: string;
  url: string;
  sha256: string;
  bytes: number;
  changed: boolean;
}

export const sha256 = (body: string) => createHash('sha256').update(body).digest('hex');

interface Pointer {
  key: string;
  sha256: string;
  pushedAt: string;
}

function parsePointer(body: string): Pointer | null {
  try {
    const p = JSON.parse(body) as Partial<Pointer>;
    return typeof p.key === 'string' && typeof p.sha256 === 'string' ? (p as Pointer) : null;
  } catch {
    return null;
  }
}

/**
 * Upload a rendered template (skipped when that content is already there) and point "latest"
 * at it; `pointer: false` (a dry run) uploads the content only, leaving "latest" alone.
 */
export async function pushTemplate(aws: Aws, config: Config, kind: TemplateKind, ids: Ids, body: string, opts: { pointer?: boolean } = {}): Promise<PushResult> {
  const w = where(aws, config);
  const hash = sha256(body);
  const key = templateKey(kind, hash, ids);
  const result = { kind, key, url: templateUrl(w.bucket, aws.region, key), sha256: hash, bytes: Buffer.byteLength(body) };
  let uploaded = false;
  if (!(await headObject(w, key))) {
    try {
      await putObject(w, key, body, { ifNoneMatch: true });
      uploaded = true;
    } catch (e) {
      if (!isWriteConflict(e)) throw e; // pushed at the same moment by someone else: same content
    }
  }
  if (opts.pointer === false) return { ...result, changed: uploaded };
  const latestKey = templateLatestKey(kind, ids);
  const latest = await getObject(w, latestKey);
  const pointsHere = latest && parsePointer(latest.body)?.key === key;
  if (!pointsHere) {
    const pointer: Pointer = { key, sha256: hash, pushedAt: new Date().toISOString() };
    await putObject(w, latestKey, JSON.stringify(pointer, null, 2) + '\n');
  }
  return { ...result, changed: uploaded || !pointsHere };
}

export interface StoredTemplate extends PushResult {
  body: string;
}

/** The template pushed last for a scope, or null when none was pushed. Never writes. */
export async function readLatestTemplate(aws: Aws, config: Config, kind: TemplateKind, ids: Ids): Promise<StoredTemplate | null> {
  const w = where(aws, config);
  const latest = await getObject(w, templateLatestKey(kind, ids));
  let key = latest ? parsePointer(latest.body)?.key : undefined;
  if (!key) {
    // No (readable) pointer: fall back to the newest object in the scope.
    const listed = (await listObjects(w, templatePrefix(kind, ids))).filter((o) => o.key !== templateLatestKey(kind, ids));
    listed.sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
    key = listed[0]?.key;
  }
  if (!key) return null;
  const obj = await getObject(w, key);
  if (!obj) throw failure(`s3://${w.bucket}/${templateLatestKey(kind, ids)}: points at ${key}, which is missing; push the template again with "cyclops config push"`, undefined, 'template-missing');
  return { kind, key, url: templateUrl(w.bucket, aws.region, key), sha256: sha256(obj.body), bytes: Buffer.byteLength(obj.body), changed: false, body: obj.body };
}
