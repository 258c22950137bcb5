import type { resolutionEn } from './resolution-en.js';

/** Simplified Chinese messages of the resolution clock (spread into the zh-CN catalogue). */
export const resolutionZhCN: Record<keyof typeof resolutionEn, string> = {
  'room.resolveWarning': '{id}：解决时限为 {at}（还剩 {left}），事件尚未解决。',
  'room.resolveBreached': '{id}：未在 {target} 的时限内解决。正在呼叫值班经理 {manager}。',
  'page.resolveBreach': '{id} 未在 {target} 的时限内解决。你是值班经理，请介入。',
  'dashboard.breach.resolution': '解决',
};
