/**
 * Splits command text into words. Double or single quotes keep spaces (and '='
 * signs) inside one word, so a title can say anything: "a=b is broken". An
 * option's value may be quoted too: summary="card payments fail".
 */
export interface Token {
  text: string;
  quoted: boolean;
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const re = /(?<key>[A-Za-z][\w-]*=)?(?:"(?<dq>[^"]*)"|'(?<sq>[^']*)')|(?<word>\S+)/g;
  for (const match of input.matchAll(re)) {
    const { key, dq, sq, word } = match.groups ?? {};
    const quoted = dq ?? sq;
    if (quoted === undefined) tokens.push({ text: word ?? '', quoted: false });
    else if (key) tokens.push({ text: `${key}${quoted}`, quoted: false });
    else tokens.push({ text: quoted, quoted: true });
  }
  return tokens;
}

/** Separates key=value options from the free words; keys are lower-cased. */
export function splitOptions(tokens: Token[]): { words: string[]; options: Map<string, string> } {
  const words: string[] = [];
  const options = new Map<string, string>();
  for (const token of tokens) {
    const match = token.quoted ? null : /^([A-Za-z][\w-]*)=([\s\S]*)$/.exec(token.text);
    if (match) options.set((match[1] ?? '').toLowerCase(), match[2] ?? '');
    else words.push(token.text);
  }
  return { words, options };
}
