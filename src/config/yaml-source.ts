import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type YAMLError } from 'yaml';
import type { ConfigProblem, Path } from './problems.js';

/** Where things are in a YAML source: positions for paths, and syntax errors as problems. */
// ------------------------------------------------------------ YAML positions

export interface Position {
  line?: number;
  column?: number;
}

/** Finds where a config path lives in the YAML source, falling back to the nearest ancestor. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The value at `path`, or the deepest ancestor that exists (the parent map of a missing key). */
  value(path: Path): Position {
    return this.at(this.walk(path).node);
  }

  /** The key of the last segment (for problems about a key itself), else as `value`. */
  key(path: Path): Position {
    const found = this.walk(path);
    return this.at(found.complete && found.key ? found.key : found.node);
  }

  /** The scalar's text as written, e.g. digits YAML turned into a lossy number. */
  source(path: Path): string | undefined {
    const found = this.walk(path);
    return found.complete && isScalar(found.node) ? found.node.source : undefined;
  }

  private walk(path: Path): { node: unknown; key?: unknown; complete: boolean } {
    let node: unknown = this.doc.contents;
    let key: unknown;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      let next: unknown;
      let nextKey: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment),
        );
        // An empty value (`people:`) has no node of its own: point at its key.
        if (pair) [next, nextKey] = [pair.value ?? pair.key, pair.key];
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (next === undefined || next === null) return { node, key, complete: false };
      [node, key] = [next, nextKey];
    }
    return { node, key, complete: true };
  }

  private at(node: unknown): Position {
    const offset = isNode(node) ? node.range?.[0] : undefined;
    if (offset === undefined) return {};
    const { line, col } = this.lines.linePos(offset);
    return line > 0 ? { line, column: col } : {};
  }
}

// ------------------------------------------------------------ YAML syntax

const SYNTAX_HINTS: Partial<Record<YAMLError['code'], string>> = {
  BAD_INDENT: 'indent nested entries consistently with spaces (two per level is usual)',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'a key may appear once per map: merge the two entries or rename one',
  MISSING_CHAR: 'close the quote or bracket opened here',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after ":" and keep each key on one line',
  MULTILINE_IMPLICIT_KEY: 'put a space after ":" and keep each key on one line',
  BAD_ALIAS: 'define the anchor (&name) before using it as *name',
  MULTIPLE_DOCS: 'keep the whole config in one YAML document (remove the extra "---")',
};
export const SYNTAX_DEFAULT_HINT =
  'check indentation and punctuation on this line; quote values that contain ": " or start with "#", "@", "*" or "&"';

export function syntaxProblem(error: YAMLError, file: string): ConfigProblem {
  const start = error.linePos?.[0];
  const firstLine = error.message.split('\n')[0] ?? error.message;
  const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  return {
    file,
    line: start?.line,
    column: start?.col,
    path: '',
    message: `YAML syntax error: ${message}`,
    hint: SYNTAX_HINTS[error.code] ?? SYNTAX_DEFAULT_HINT,
  };
}
