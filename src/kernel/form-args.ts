/**
 * How a submitted form becomes command arguments (the Form contract in
 * src/ports.ts): name="value" options the chat grammar's tokenizer reads back
 * exactly. Chat adapters use it for modals; it knows nothing else of the grammar.
 */
export function formArgs(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value.trim() !== '')
    .map(([name, value]) => `${name}=${quote((value as string).trim())}`)
    .join(' ');
}

/**
 * Quotes a value for the tokenizer: double quotes, or single when the text
 * holds a double quote. Line breaks stay (the tokenizer keeps them inside
 * quotes): a long-text input may mean one item per line, like resolution
 * steps; the grammar flattens the values that must be one line.
 */
export function quote(value: string): string {
  const flat = value.replace(/\r\n?/g, '\n');
  if (!flat.includes('"')) return `"${flat}"`;
  if (!flat.includes("'")) return `'${flat}'`;
  return `"${flat.replace(/"/g, "'")}"`;
}
