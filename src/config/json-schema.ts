import { z } from 'zod';
import { durationSchema, musterConfigSchema } from './schema.js';

/**
 * Describing the config schema to tools and to people: the JSON Schema that
 * editors use for completion (`muster schema`), and the small introspection
 * the loader uses to say which keys or forms are allowed at a YAML path.
 */

export const MUSTER_SCHEMA_ID = 'urn:muster:config:muster.yaml';

/**
 * The JSON Schema of muster.yaml as people write it (`io: 'input'`): durations
 * are text like "15m" and defaulted keys are optional.
 */
export function musterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(musterConfigSchema, { io: 'input' });
  return {
    ...schema,
    $id: MUSTER_SCHEMA_ID,
    title: 'Muster configuration (muster.yaml)',
  };
}

// ------------------------------------------------------------- introspection

/** The parts of zod's internal definitions we read; other fields are ignored. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/**
 * Peels wrappers (optional, default, the input side of a transform) off a
 * schema, collecting the first description met on the way.
 */
export function unwrap(schema: z.ZodType): { core: z.ZodType; description?: string } {
  let core = schema;
  let description = schema.description;
  for (;;) {
    const def = defOf(core);
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
    if (!next) return { core, description };
    core = next;
    description ??= core.description;
  }
}

/** One step down a schema; unions pick the first option that has the key. */
function child(schema: z.ZodType, segment: string | number): z.ZodType | undefined {
  const def = defOf(unwrap(schema).core);
  switch (def.type) {
    case 'object':
      return def.shape?.[String(segment)];
    case 'record':
      return def.valueType;
    case 'array':
      return def.element;
    case 'union':
      return def.options?.map((o) => child(o, segment)).find((c) => c !== undefined);
    default:
      return undefined;
  }
}

/** The schema at a path of the config (record keys and list indexes included). */
export function schemaAt(
  path: readonly PropertyKey[],
  root: z.ZodType = musterConfigSchema,
): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (!current || typeof segment === 'symbol') return undefined;
    current = child(current, segment);
  }
  return current;
}

/** Keys a map at this path may hold; undefined when any key is allowed. */
export function allowedKeys(path: readonly PropertyKey[], root?: z.ZodType): string[] | undefined {
  const schema = schemaAt(path, root);
  if (!schema) return undefined;
  const def = defOf(unwrap(schema).core);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) {
    const keyDef = defOf(unwrap(def.keyType).core);
    if (keyDef.type === 'enum') return Object.values(keyDef.entries ?? {}).map(String);
  }
  return undefined;
}

/** A short phrase for the form a value of this schema takes, e.g. `"person: …"`. */
export function describeForm(schema: z.ZodType): string {
  const def = defOf(unwrap(schema).core);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries ?? {}).map((v) => `"${v}"`).join(', ');
    case 'literal':
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(', ');
    case 'array':
      return 'a list [id, …]';
    case 'object': {
      const keys = Object.keys(def.shape ?? {});
      return keys.length === 1 ? `"${keys[0]}: …"` : `a map with ${keys.join(', ')}`;
    }
    case 'record':
      return 'a map';
    case 'boolean':
      return 'true or false';
    default:
      return def.type === 'string' ? 'text' : `a ${def.type}`;
  }
}

/** The forms a union at this path accepts, for "write one of" hints. */
export function unionForms(path: readonly PropertyKey[], root?: z.ZodType): string[] {
  const schema = schemaAt(path, root);
  if (!schema) return [];
  const def = defOf(unwrap(schema).core);
  return def.type === 'union' ? (def.options ?? []).map(describeForm) : [describeForm(schema)];
}

/** True when the schema at this path is a duration ("15m"), whatever wraps it. */
export function isDurationAt(path: readonly PropertyKey[], root?: z.ZodType): boolean {
  const schema = schemaAt(path, root);
  return schema !== undefined && unwrap(schema).core === unwrap(durationSchema).core;
}

/** The description attached to the schema at this path, if any. */
export function describeAt(path: readonly PropertyKey[], root?: z.ZodType): string | undefined {
  const schema = schemaAt(path, root);
  return schema ? unwrap(schema).description : undefined;
}
