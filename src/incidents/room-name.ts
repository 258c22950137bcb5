/** The title as channel-name words, at most 40 characters, in the characters `keep` leaves. */
const slugOf = (text: string, keep: RegExp) => [...text.toLowerCase().normalize('NFKD').replace(keep, '-').replace(/^-+|-+$/g, '')]
  .slice(0, 40).join('').replace(/-+$/, '');

/**
 * "inc-42-checkout-is-failing": readable and valid on every platform. A
 * title with no Latin letters or digits ("支付失败") is named by its service
 * instead ("inc-7-checkout"), never a bare "inc-7".
 */
export function roomName(id: string, title: string, service?: string): string {
  const slug = slugOf(title, /[^a-z0-9]+/g) || slugOf(service ?? '', /[^a-z0-9]+/g);
  return [id.toLowerCase(), slug].filter(Boolean).join('-');
}

/** The same name in any script ("inc-7-支付失败"), for chats that allow it (Discord); undefined when it is the Latin one. */
export function unicodeRoomName(id: string, title: string, service?: string): string | undefined {
  const slug = [...title.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')].slice(0, 40).join('').replace(/-+$/, '');
  const name = [id.toLowerCase(), slug].filter(Boolean).join('-');
  return slug && name !== roomName(id, title, service) ? name : undefined;
}
