import { describe, expect, it } from 'vitest';
import { customerIntakeErrors, isOwnAddress } from './intake.ts';

const own = { emails: ['Lei.Li@example.com', null], phones: ['138 5712 0341'] };
const fields = (input: Parameters<typeof customerIntakeErrors>[0]) => customerIntakeErrors(input, own).map((e) => e.field);

describe('what a customer chooses when filing', () => {
  it('their own addresses only, as typed (case, spaces and dashes aside)', () => {
    expect(isOwnAddress('EMAIL', ' lei.li@EXAMPLE.com ', own)).toBe(true);
    expect(isOwnAddress('SMS', '138-5712-0341', own)).toBe(true);
    expect(isOwnAddress('EMAIL', 'someone@else.com', own)).toBe(false);
    expect(isOwnAddress('SMS', '13957198823', own)).toBe(false);
    // An email is not a phone number, nor the other way round.
    expect(isOwnAddress('SMS', 'lei.li@example.com', own)).toBe(false);
    expect(fields({ replyMethod: 'EMAIL', replyAddress: 'lei.li@example.com' })).toEqual([]);
    expect(fields({ replyMethod: 'EMAIL', replyAddress: 'boss@rival.com' })).toEqual(['replyAddress']);
    expect(fields({ replyMethod: 'IM', replyAddress: 'someone' })).toEqual(['replyAddress']);
    expect(fields({ replyMethod: 'IM', replyAddress: null })).toEqual([]);
  });

  it('the portal channel and the portal\'s priorities (NORMAL, HIGH, URGENT); not given is fine', () => {
    expect(fields({ replyMethod: 'IM', replyAddress: null, channel: 'PORTAL', priority: 'URGENT' })).toEqual([]);
    expect(fields({ replyMethod: 'IM', replyAddress: null, channel: null, priority: null })).toEqual([]);
    for (const channel of ['WEB', 'EMAIL', 'CHAT', 'PHONE', 'API', 'OFFLINE_MESSAGE'] as const) {
      expect(fields({ replyMethod: 'IM', replyAddress: null, channel }), channel).toEqual(['channel']);
    }
    expect(fields({ replyMethod: 'IM', replyAddress: null, priority: 'LOW' })).toEqual(['priority']);
    expect(fields({ replyMethod: 'SMS', replyAddress: '110', channel: 'PHONE', priority: 'LOW' })).toEqual(['channel', 'priority', 'replyAddress']);
  });
});
