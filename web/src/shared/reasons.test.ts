import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from '../i18n/en.ts';
import zhCN from '../i18n/zh-CN.ts';
import { commandKey, localizeReason } from './reasons.ts';

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } });
const t = (k: string, named?: Record<string, unknown>) => i18n.global.t(k, named ?? {});

describe('localizeReason', () => {
  it('translates the lifecycle table\'s "who" refusals', () => {
    expect(localizeReason('Only the assignee can resolve', t)).toBe('仅受理人可以办结');
    expect(localizeReason('Only a manager or the system can dispatch', t)).toBe('仅工单管理员或系统可以派单');
    expect(localizeReason('Only the agent the ticket was offered to can accept offer', t)).toBe('仅被派单的客服可以接单');
  });

  it('translates status refusals and fixed phrases', () => {
    expect(localizeReason('reopen is not possible while the ticket is PROCESSING', t)).toBe('工单处于“处理中”时不能重新打开');
    expect(localizeReason('inviteRating is not possible while the ticket is NEW', t)).toBe('工单处于“待分配”时不能邀请评价');
    expect(localizeReason('A handover is already pending', t)).toBe('已有待处理的移交请求');
    expect(localizeReason('Sharers can only view this ticket', t)).toBe('共享人仅可查看工单，不能回复或添加备注');
  });

  it('leaves unknown text as the server wrote it, and follows the locale', () => {
    expect(localizeReason('Something new', t)).toBe('Something new');
    expect(localizeReason(null, t)).toBe('');
    i18n.global.locale.value = 'en';
    expect(localizeReason('Only the assignee can resolve', t)).toBe('Only the assignee can resolve');
    i18n.global.locale.value = 'zh-CN';
  });

  it('maps command words to TicketCommand names', () => {
    expect(commandKey('accept offer')).toBe('ACCEPT_OFFER');
    expect(commandKey('inviteRating')).toBe('INVITE_RATING');
    expect(commandKey('grab')).toBe('GRAB');
  });
});
