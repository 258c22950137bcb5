import type { Message } from '../ports.js';

/** Every message of a drill says DRILL, whoever wrote it: nobody may mistake it for the real thing. */
export const DRILL_MARK = 'DRILL';

export function drillMarked(message: Message): Message {
  const mark = (text: string) => (text.startsWith(`${DRILL_MARK} `) || text.includes(`[${DRILL_MARK}]`) ? text : `${DRILL_MARK} · ${text}`);
  return message.title ? { ...message, title: mark(message.title) } : { ...message, text: mark(message.text) };
}
