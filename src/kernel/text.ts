/**
 * Free text from people: limits that answer like a person, and cutting that
 * never splits a character. A leaf module (imports nothing).
 */

/** The documented limit of each free-text field, in characters (README: "Input limits"). */
export const TEXT_LIMITS = {
  /** The whole text after the slash command. */
  command: 4000,
  title: 200,
  summary: 2000,
  update: 3000,
  note: 2000,
  reason: 500,
} as const;

export type TextField = keyof typeof TEXT_LIMITS;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as people count them (grapheme clusters: an emoji with its modifiers is one). */
export function textLength(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count += 1;
  return count;
}

/**
 * At most `max` UTF-16 code units (what platforms count), cut at a grapheme
 * boundary and ended with an ellipsis when anything was cut, so no lone
 * surrogate or half an emoji ever reaches a platform.
 */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length + segment.length > max - 1) break;
    kept += segment;
  }
  return `${kept}…`;
}

/** The first field of `fields` over its limit, with its length, or undefined when all fit. */
export function overLimit(fields: Partial<Record<TextField, string | undefined>>): { field: TextField; limit: number; length: number } | undefined {
  for (const [field, value] of Object.entries(fields) as Array<[TextField, string | undefined]>) {
    if (value === undefined) continue;
    const limit = TEXT_LIMITS[field];
    // Cheap first: a text within the limit in code units is within it in graphemes too.
    if (value.length <= limit) continue;
    const length = textLength(value);
    if (length > limit) return { field, limit, length };
  }
  return undefined;
}
