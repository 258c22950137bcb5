/**
 * Random command texts for the fuzz tests: random Unicode, control
 * characters, RTL marks, 10 KB texts, option floods, quotes, pings and
 * Markdown, mixed with real words of the grammar so many reach deep paths.
 */
const PIECES = ['declare', 'ack', 'resolve', 'update', 'sev', 'escalate', 'assign', 'snooze', 'playbook', 'INC-1', 'INC-99999999999', 'sev=P1', 'sev=', 'service=checkout', 'title=', '"', "'", '“', '\u202e', '\u200f', '\u0000', '\u0007', '\n', '\t', '<!channel>', '@everyone', '🔥', '👨‍👩‍👧‍👦', '中文标题', 'x=y', '=', '==', '\\', '*bold*', '`code`', '10m', '-5m'];

export function randomText(random: () => number): string {
  const kind = random();
  if (kind < 0.05) return 'x'.repeat(10_000 + Math.floor(random() * 1000));
  if (kind < 0.1) return `declare t ${Array.from({ length: 300 }, (_, i) => `o${i}=v`).join(' ')}`;
  if (kind < 0.25) return Array.from({ length: 1 + Math.floor(random() * 40) }, () => String.fromCodePoint(Math.floor(random() * 0x2ffff))).join('');
  return Array.from({ length: 1 + Math.floor(random() * 12) }, () => PIECES[Math.floor(random() * PIECES.length)]!).join(random() < 0.8 ? ' ' : '');
}
