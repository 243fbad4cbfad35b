/**
 * Canonical serialisation of templates: deterministic JSON (stable key order) for hashing
 * and upload, and YAML for reading. Pure.
 */

type Node = unknown;

/** Template sections in CloudFormation's customary order; other keys sort alphabetically. */
const SECTION_ORDER = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs'];

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy with every object's keys sorted; arrays keep their order. Undefined values are dropped. */
export function canonical(node: Node, top = false): Node {
  if (Array.isArray(node)) return node.map((n) => canonical(n));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, Node>).filter(([, v]) => v !== undefined);
  if (top) {
    const rank = (k: string) => (SECTION_ORDER.includes(k) ? SECTION_ORDER.indexOf(k) : SECTION_ORDER.length);
    entries.sort(([a], [b]) => rank(a) - rank(b) || compareKeys(a, b));
  } else {
    entries.sort(([a], [b]) => compareKeys(a, b));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/** Canonical JSON: the same template always gives the same bytes (and so the same hash). */
export function templateBody(t: Record<string, unknown>): string {
  return JSON.stringify(canonical(t, true), null, 2);
}

// ---- YAML -------------------------------------------------------------------------------
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_-]*(::[A-Za-z0-9]+)?$/;
const PLAIN_STRING = /^[A-Za-z/][A-Za-z0-9_./-]*$/;
const RESERVED = /^(y|n|yes|no|true|false|on|off|null)$/i;

function scalar(v: Node): string {
  if (typeof v === 'string') return PLAIN_STRING.test(v) && !RESERVED.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return 'null';
}

const key = (k: string) => (PLAIN_KEY.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k));
const isEmpty = (v: Node) => (Array.isArray(v) ? v.length === 0 : !!v && typeof v === 'object' && Object.keys(v).length === 0);
const isCollection = (v: Node) => v !== null && typeof v === 'object';

function emit(node: Node, indent: string, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) {
      if (isCollection(item) && !isEmpty(item)) {
        const lines: string[] = [];
        emit(item, indent + '  ', lines);
        out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
      } else {
        out.push(`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(node as Record<string, Node>)) {
    if (v === undefined) continue;
    if (isCollection(v) && !isEmpty(v)) {
      out.push(`${indent}${key(k)}:`);
      emit(v, indent + '  ', out);
    } else {
      out.push(`${indent}${key(k)}: ${isEmpty(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}`);
    }
  }
}

/** The template as YAML (same key order as templateBody). Strings that are not plain words are double-quoted. */
export function toYaml(t: Record<string, unknown>): string {
  const out: string[] = [];
  emit(canonical(t, true), '', out);
  return out.join('\n') + '\n';
}
