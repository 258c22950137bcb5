import { z } from 'zod';
import type { ActionConfig, ParamSpec } from './schema.js';
import type { ActionParams, ParamValue } from './types.js';

/**
 * Compiles an action's declarative parameter schema to zod. Values arrive as
 * chat text (key=value), so integers and booleans are coerced from strings;
 * unknown keys are refused so a typo never silently drops a parameter.
 */
const COMPILERS: { [K in ParamSpec['type']]: (spec: Extract<ParamSpec, { type: K }>) => z.ZodType<ParamValue> } = {
  string: (spec) => {
    const base = z.string().min(1).max(spec.maxLength);
    return spec.pattern ? base.regex(new RegExp(`^(?:${spec.pattern})$`, 'u'), `must match ${spec.pattern}`) : base;
  },
  enum: (spec) => z.enum(spec.values as [string, ...string[]]),
  integer: (spec) => {
    let number = z.number().int();
    if (spec.min !== undefined) number = number.min(spec.min);
    if (spec.max !== undefined) number = number.max(spec.max);
    return z.string().regex(/^-?\d+$/, 'must be a whole number').transform(Number).pipe(number) as unknown as z.ZodType<ParamValue>;
  },
  boolean: () =>
    z.enum(['true', 'false', 'yes', 'no']).transform((text) => text === 'true' || text === 'yes') as unknown as z.ZodType<ParamValue>,
};

export function paramsSchema(action: ActionConfig): z.ZodType<ActionParams> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(action.params)) {
    const compiled = (COMPILERS[spec.type] as (s: ParamSpec) => z.ZodType<ParamValue>)(spec);
    shape[name] = spec.required ? compiled : compiled.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<ActionParams>;
}

/** Parses chat options into typed parameters, or says in one line what is wrong. */
export function parseParams(action: ActionConfig, raw: Record<string, string>): { ok: true; params: ActionParams } | { ok: false; problem: string } {
  const result = paramsSchema(action).safeParse(raw);
  if (result.success) return { ok: true, params: result.data };
  const problem = result.error.issues
    .map((issue) => `${issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '?')}: ${issue.message}`)
    .join('; ');
  return { ok: false, problem };
}

/**
 * Expands an argument template: each element stays one argv element, whatever
 * a value contains (spaces, ";", "$(...)"). An element naming a parameter
 * that was not given is dropped.
 */
export function expandArgs(template: readonly string[], params: ActionParams): string[] {
  const out: string[] = [];
  for (const element of template) {
    let missing = false;
    const expanded = element.replace(/\{(\w+)\}/g, (_whole, name: string) => {
      const value = params[name];
      if (value === undefined) missing = true;
      return value === undefined ? '' : String(value);
    });
    if (!missing) out.push(expanded);
  }
  return out;
}
