import { describe, expect, it } from 'vitest';
import { buildFeed, isOpenStatus, progressStep, statusTone, type FeedComment, type FeedEvent } from './portal-model.ts';

const me = { id: 'me', name: '钱志远', role: 'CUSTOMER' };
const agent = { id: 'ag', name: '王晓梅', role: 'AGENT' };
let seq = 0;
const ev = (kind: FeedEvent['kind'], at: string, extra: Partial<FeedEvent> = {}): FeedEvent => ({
  id: `e${++seq}`,
  kind,
  createdAt: at,
  seq: String(seq),
  data: {},
  actor: agent,
  comment: null,
  ...extra,
});
const comment = (id: string, at: string, author = agent): FeedComment => ({ id, body: `body ${id}`, createdAt: at, author });

describe('buildFeed', () => {
  it('weaves comments and public events in time order, each comment once', () => {
    const c1 = comment('c1', '2026-01-01T10:05:00.000Z');
    const c2 = comment('c2', '2026-01-01T10:20:00.000Z', me);
    const events = [
      ev('CREATED', '2026-01-01T10:00:00.000Z', { actor: me }),
      ev('GRABBED', '2026-01-01T10:01:00.000Z'),
      ev('COMMENTED', '2026-01-01T10:05:00.000Z', { comment: { id: 'c1' } }),
      ev('COMMENTED', '2026-01-01T10:05:00.000Z', { comment: { id: 'c1' } }), // duplicate reference
      ev('RESOLVED', '2026-01-01T10:10:00.000Z', { data: { resolution: '已处理' } }),
      ev('REOPENED', '2026-01-01T10:15:00.000Z', { actor: me, data: { reason: '没好' } }),
      ev('COMMENTED', '2026-01-01T10:20:00.000Z', { comment: { id: 'c2' }, actor: me }),
      ev('ROUTED', '2026-01-01T10:00:30.000Z'), // not shown in the portal
    ];
    const feed = buildFeed(events, [c1, c2], 'me');
    expect(feed.map((i) => (i.type === 'comment' ? `comment:${i.id}` : i.kind))).toEqual([
      'CREATED',
      'GRABBED',
      'comment:c1',
      'RESOLVED',
      'REOPENED',
      'comment:c2',
    ]);
    const created = feed[0]!;
    expect(created.type === 'event' && created.mine).toBe(true);
    const c2item = feed[5]!;
    expect(c2item.type === 'comment' && c2item.mine).toBe(true);
    const resolved = feed[3]!;
    expect(resolved.type === 'event' && resolved.data.resolution).toBe('已处理');
  });

  it('keeps comments the loaded timeline does not reference, and tolerates odd data', () => {
    const feed = buildFeed(
      [ev('STATUS_CHANGED', '2026-01-01T10:00:00.000Z', { data: ['not', 'an', 'object'], actor: null })],
      [comment('c9', '2026-01-01T09:00:00.000Z')],
      null,
    );
    expect(feed.map((i) => i.id)).toEqual(['c9', expect.any(String)]);
    const status = feed[1]!;
    expect(status.type === 'event' && status.data).toEqual({});
    expect(status.type === 'event' && status.mine).toBe(false);
  });
});

describe('status helpers', () => {
  it('maps statuses to the four customer steps and tones', () => {
    expect(['NEW', 'PENDING_ACCEPT', 'PROCESSING', 'WAITING_CUSTOMER', 'WAITING_THIRD_PARTY', 'RESOLVED', 'CLOSED'].map((s) => progressStep(s as never))).toEqual([
      0, 0, 1, 1, 1, 2, 3,
    ]);
    expect(statusTone('WAITING_CUSTOMER')).toBe('warning');
    expect(statusTone('RESOLVED')).toBe('success');
    expect(statusTone('NEW')).toBe('info');
    expect(isOpenStatus('PROCESSING')).toBe(true);
    expect(isOpenStatus('RESOLVED')).toBe(false);
  });
});
