// Timeline entries as sentences: "who did what" plus detail lines, from the event kind
// and its data (which names people by raw id; `names` resolves them).
import { displayValue, type FieldDef } from '../../shared/dynamic-fields.ts';

type T = (key: string, named?: Record<string, unknown>) => string;

export interface EventLike {
  kind: string;
  data: unknown;
}

export interface Described {
  text: string;
  details: string[];
}

export function describeEvent(e: EventLike, t: T, names: ReadonlyMap<string, string>, fields: readonly (FieldDef & { key: string })[] = []): Described {
  const d = (e.data && typeof e.data === 'object' ? e.data : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === 'string' && d[k] !== '' ? (d[k] as string) : null);
  const who = (k: string) => {
    const id = str(k);
    return id ? (names.get(id) ?? '—') : '—';
  };
  const details: string[] = [];
  const detail = (key: string, text: string | null) => text && details.push(t(`ticket.eventDetail.${key}`, { text }));
  const reasons = Array.isArray(d.reasons) ? (d.reasons as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  let text: string;
  switch (e.kind) {
    case 'DISPATCHED':
      text = t(d.source === 'AUTO' ? 'ticket.events.DISPATCHED_AUTO' : 'ticket.events.DISPATCHED', { agent: who('agentId') });
      if (d.source === 'AUTO' && reasons.length) detail('reasons', reasons.join('；'));
      break;
    case 'OFFERED':
      text = t('ticket.events.OFFERED', { agent: who('agentId') });
      if (d.source === 'AUTO' && reasons.length) detail('reasons', reasons.join('；'));
      break;
    case 'ROUTED':
      text = t('ticket.events.ROUTED');
      if (reasons.length) detail('reasons', reasons.join('；'));
      break;
    case 'REASSIGNED':
      text = t('ticket.events.REASSIGNED', { from: who('fromId'), to: who('toId') });
      detail('reason', str('reason'));
      break;
    case 'RETURNED_TO_POOL':
      text = t('ticket.events.RETURNED_TO_POOL');
      detail('reason', str('reason'));
      if (reasons.length) detail('reasons', reasons.join('；'));
      break;
    case 'HANDOVER_REQUESTED':
      text = t('ticket.events.HANDOVER_REQUESTED', { to: who('toId') });
      detail('reason', str('reason'));
      break;
    case 'HANDED_OVER':
      text = t('ticket.events.HANDED_OVER', { from: who('fromId'), to: who('toId') });
      detail('note', str('note'));
      break;
    case 'HANDOVER_REJECTED':
    case 'OFFER_DECLINED':
      text = t(`ticket.events.${e.kind}`);
      detail('note', str('note'));
      break;
    case 'ASSIST_REQUESTED':
    case 'ASSIST_FORWARDED':
      text = t(`ticket.events.${e.kind}`, { target: str('teamName') ?? who('handlerId') });
      detail('note', str('note'));
      break;
    case 'ASSIST_DISPATCHED':
      text = t('ticket.events.ASSIST_DISPATCHED', { handler: who('handlerId') });
      break;
    case 'ASSIST_COMPLETED':
      text = t('ticket.events.ASSIST_COMPLETED');
      detail('reply', str('reply'));
      break;
    case 'STATUS_CHANGED':
      text = t('ticket.events.STATUS_CHANGED', { from: t(`status.${str('from') ?? 'NEW'}`), to: t(`status.${str('to') ?? 'NEW'}`) });
      break;
    case 'FIELDS_UPDATED': {
      text = t('ticket.events.FIELDS_UPDATED');
      const changes = Array.isArray(d.changes) ? (d.changes as { key?: string; label?: string; from?: unknown; to?: unknown }[]) : [];
      for (const c of changes) {
        const f = fields.find((x) => x.key === c.key) ?? { kind: 'TEXT' as const, options: [] };
        const yesNo: [string, string] = [t('ticket.fieldForm.yes'), t('ticket.fieldForm.no')];
        details.push(`${c.label ?? c.key}：${displayValue(f, c.from, names, yesNo)} → ${displayValue(f, c.to, names, yesNo)}`);
      }
      break;
    }
    case 'RESOLVED':
      text = t('ticket.events.RESOLVED');
      break;
    case 'REOPENED':
    case 'CLOSED':
      text = t(`ticket.events.${e.kind}`);
      detail('reason', str('reason'));
      break;
    case 'RATED':
      text = t('ticket.events.RATED', { score: typeof d.score === 'number' ? d.score : '?' });
      if (str('comment')) details.push(str('comment')!);
      break;
    default:
      text = t(`ticket.events.${e.kind}`);
  }
  return { text, details };
}
