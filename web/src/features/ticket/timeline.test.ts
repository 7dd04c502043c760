import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from '../../i18n/en.ts';
import zhCN from '../../i18n/zh-CN.ts';
import { describeEvent } from './timeline.ts';

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } });
const t = (k: string, named?: Record<string, unknown>) => i18n.global.t(k, named ?? {});
const names = new Map([
  ['u1', '王晓梅'],
  ['u2', '陈静'],
]);

describe('describeEvent', () => {
  it('names the people event data refers to by raw id', () => {
    expect(describeEvent({ kind: 'HANDOVER_REQUESTED', data: { fromId: 'u2', toId: 'u1', reason: '休假' } }, t, names)).toEqual({
      text: '请求将工单移交给 王晓梅',
      details: ['原因：休假'],
    });
    expect(describeEvent({ kind: 'DISPATCHED', data: { agentId: 'u1', source: 'AUTO', reasons: ['dedicated agent'] } }, t, names).text).toBe('自动分配给 王晓梅');
    expect(describeEvent({ kind: 'ASSIST_REQUESTED', data: { teamName: '财务组', note: '请核对退款' } }, t, names)).toEqual({ text: '发起转办给 财务组', details: ['说明：请核对退款'] });
  });

  it('shows status changes and field changes in words', () => {
    expect(describeEvent({ kind: 'STATUS_CHANGED', data: { from: 'PROCESSING', to: 'WAITING_CUSTOMER' } }, t, names).text).toBe('将状态从“处理中”改为“等待客户回复”');
    const fields = [{ key: 'verified', label: '已验证身份', kind: 'CHECKBOX' as const, required: false }];
    expect(describeEvent({ kind: 'FIELDS_UPDATED', data: { changes: [{ key: 'verified', label: '已验证身份', from: null, to: true }] } }, t, names, fields).details).toEqual([
      '已验证身份：— → 是',
    ]);
  });

  it('says who a manager reassigned the ticket to, and why', () => {
    expect(describeEvent({ kind: 'REASSIGNED', data: { fromId: 'u2', toId: 'u1', reason: '客户要求换人' } }, t, names)).toEqual({
      text: '将工单改派给 王晓梅（原受理人 陈静）',
      details: ['原因：客户要求换人'],
    });
  });

  it('says why a ticket went back to the pool', () => {
    expect(describeEvent({ kind: 'RETURNED_TO_POOL', data: { reasons: ['没有在线的客服'] } }, t, names)).toEqual({ text: '工单退回待分配', details: ['依据：没有在线的客服'] });
  });

  it('copes with missing data', () => {
    expect(describeEvent({ kind: 'GRABBED', data: null }, t, names)).toEqual({ text: '抢单接下了工单', details: [] });
    expect(describeEvent({ kind: 'OFFERED', data: { agentId: 'unknown' } }, t, names).text).toBe('派单给 —，等待接单');
  });
});
