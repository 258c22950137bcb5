import { describe, expect, it } from 'vitest';
import { ZonedClock } from '../../src/notify/clock-text.js';
import { Presenter } from '../../src/notify/present.js';
import { testConfig } from '../support/fixture.js';

const NOW = Date.UTC(2026, 10, 3, 9, 30, 0); // Tue 3 Nov 2026, 09:30 UTC

describe('times as a reader needs them', () => {
  it('carry the team zone, and the day when it is not today there', () => {
    const shanghai = new ZonedClock('en', 'Asia/Shanghai', () => NOW);
    expect(shanghai.time(NOW)).toBe('17:30:00 GMT+8');
    expect(shanghai.time(NOW - 24 * 3_600_000)).toBe('Mon 2 Nov 17:30:00 GMT+8');
    // 16:30 UTC is already Wednesday in Shanghai
    expect(shanghai.time(NOW + 7 * 3_600_000)).toBe('Wed 4 Nov 00:30:00 GMT+8');
    expect(new ZonedClock('en', 'Europe/Berlin', () => NOW).time(NOW)).toBe('10:30:00 CET');
    expect(new ZonedClock('en', 'America/New_York', () => NOW).time(NOW)).toBe('04:30:00 GMT-5');
    expect(new ZonedClock('zh-CN', 'Asia/Shanghai', () => NOW).time(NOW - 24 * 3_600_000)).toBe('11月2日周一 17:30:00 GMT+8');
  });

  it('say deadlines also as minutes from now, in both languages', () => {
    const en = new Presenter(testConfig(), () => NOW);
    expect(en.deadline(NOW + 15 * 60_000)).toBe('10:45:00 CET (in 15 min)');
    expect(en.deadline(NOW + 30_000)).toBe('10:30:30 CET (in 1 min)');
    const zh = new Presenter(testConfig((raw) => { raw.locale = 'zh-CN'; }), () => NOW);
    expect(zh.deadline(NOW + 12 * 60_000)).toBe('10:42:00 GMT+1（12 分钟后）');
  });
});
