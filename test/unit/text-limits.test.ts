import { describe, expect, it } from 'vitest';
import { clipText, overLimit, TEXT_LIMITS } from '../../src/kernel/text.js';
import { harness } from '../support/fixture.js';

describe('clipText', () => {
  it('never cuts a character in half: a 199-character title and an emoji keep the whole emoji or none', () => {
    const title = `${'x'.repeat(199)}🔥🔥`;
    const clipped = clipText(title, 200);
    expect(clipped).toBe(`${'x'.repeat(199)}…`);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(clipped)).toBe(false); // no lone high surrogate
    const family = `${'y'.repeat(10)}👨‍👩‍👧‍👦 tail`;
    expect(clipText(family, 15)).toBe(`${'y'.repeat(10)}…`);
    expect(clipText('short', 200)).toBe('short');
  });
});

describe('input limits that answer like a person', () => {
  it('a title over its limit is refused naming the field and the limit, and nothing is declared', async () => {
    const h = await harness();
    const reply = await h.say('alice', `/incident declare ${'t'.repeat(TEXT_LIMITS.title + 1)} sev=P1 service=checkout`);
    expect(reply.message.text).toContain(`The title is too long: ${TEXT_LIMITS.title + 1} characters, at most ${TEXT_LIMITS.title}.`);
    expect(reply.message.tone).toBe('warning');
    expect(await h.store.listActive()).toEqual([]);
  });

  it('a command over 4,000 characters gets the same kind of answer, not an internal error', async () => {
    const h = await harness();
    const reply = await h.say('alice', `/incident update INC-1 ${'u'.repeat(5000)}`);
    expect(reply.message.text).toContain('The command is too long: ');
    expect(reply.message.text).not.toContain('something went wrong');
  });

  it('counts characters as people do: 200 emoji fit a title', () => {
    expect(overLimit({ title: '🔥'.repeat(200) })).toBeUndefined();
    expect(overLimit({ title: '🔥'.repeat(201) })).toMatchObject({ field: 'title', limit: 200, length: 201 });
  });
});
