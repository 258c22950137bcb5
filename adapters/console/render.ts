import type { Message } from '../../src/ports.js';

const TONE_MARK: Record<NonNullable<Message['tone']>, string> = {
  info: '·',
  alert: '!',
  success: '✓',
  warning: '⚠',
};

/**
 * Plain-text rendering for a terminal. Control characters in user text are
 * replaced so a title cannot move the cursor or clear the screen.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

export function renderMessage(message: Message): string[] {
  const lines: string[] = [];
  const mark = TONE_MARK[message.tone ?? 'info'];
  const head = [message.title, message.text].filter(Boolean).map((part) => sanitize(part as string));
  const [first, ...rest] = head.join('\n').split('\n');
  lines.push(`${mark} ${first ?? ''}`);
  for (const line of rest) lines.push(`  ${line}`);
  for (const field of message.fields ?? []) {
    const [first, ...more] = field.value.split('\n');
    lines.push(`    ${sanitize(field.label)}: ${sanitize(first ?? '')}`);
    for (const line of more) lines.push(`      ${sanitize(line)}`);
  }
  for (const button of message.buttons ?? []) lines.push(`    [ ${sanitize(button.label)} ]  ->  ${sanitize(button.command)}`);
  for (const link of message.links ?? []) lines.push(`    [ ${sanitize(link.label)} ]  ->  ${sanitize(link.url)}`);
  return lines;
}
