import type { alertsEn } from './alerts-en.js';

/** Simplified Chinese messages of alert groups on an incident (spread into the zh-CN catalogue). */
export const alertsZhCN: Record<keyof typeof alertsEn, string> = {
  'board.alerts': '告警',
  'board.alertsTally': '{firing} 条告警中 · {resolved} 条已恢复 · 最近一次 {lastSeen}',
  'board.alertsLeftOut': ' · 另有 {count} 条未列出',
};
