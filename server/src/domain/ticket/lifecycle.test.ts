import { describe, expect, it } from 'vitest';
import { InvalidTransition, NotAllowed } from '../errors.ts';
import { LIFECYCLE, TICKET_STATUSES, addSharer, authorize, availability, nextStatus, type Command, type Relation } from './lifecycle.ts';

const rel = (...r: Relation[]) => new Set<Relation>(r);

describe('the lifecycle table', () => {
  it('CLOSED is final: only rating (which changes no status) still applies', () => {
    const fromClosed = (Object.keys(LIFECYCLE) as Command[]).filter((c) => (LIFECYCLE[c].from as readonly string[]).includes('CLOSED'));
    expect(fromClosed).toEqual(['rate', 'inviteRating']);
    for (const c of fromClosed) expect(LIFECYCLE[c].to).toBe('same');
  });

  it('only grab, dispatch and offers take a ticket out of the pool', () => {
    const fromNew = (Object.keys(LIFECYCLE) as Command[]).filter((c) => (LIFECYCLE[c].from as readonly string[]).includes('NEW'));
    expect(fromNew.sort()).toEqual(['close', 'comment', 'dispatch', 'grab', 'offer', 'updateFields'].sort());
  });

  it('handover, a manager\'s reassignment and assist never change the status', () => {
    for (const c of ['requestHandover', 'acceptHandover', 'rejectHandover', 'cancelHandover', 'reassign', 'requestAssist', 'completeAssist', 'forwardAssist', 'dispatchAssist'] as Command[]) {
      expect(LIFECYCLE[c].to).toBe('same');
    }
  });

  it('every status named in the table exists', () => {
    for (const rule of Object.values(LIFECYCLE)) for (const s of rule.from) expect(TICKET_STATUSES).toContain(s);
  });
});

describe('authorize', () => {
  it('says who may, before saying when', () => {
    expect(() => authorize('resolve', 'NEW', rel('anyone'))).toThrow(NotAllowed);
    expect(() => authorize('resolve', 'NEW', rel('assignee'))).toThrow(InvalidTransition);
    expect(authorize('resolve', 'WAITING_CUSTOMER', rel('assignee')).to).toBe('RESOLVED');
  });

  it('explains the refusal in words an agent understands', () => {
    expect(availability('grab', 'NEW', rel('anyone'))).toEqual({
      allowed: false,
      reason: 'Only an agent eligible for this ticket type can grab',
    });
    expect(availability('reopen', 'PROCESSING', rel('creator'))).toEqual({ allowed: false, reason: 'reopen is not possible while the ticket is PROCESSING' });
    expect(availability('reopen', 'RESOLVED', rel('creator'))).toEqual({ allowed: true, reason: null });
  });

  it('setStatus moves only between the working statuses', () => {
    expect(nextStatus('setStatus', 'PROCESSING', 'WAITING_CUSTOMER')).toBe('WAITING_CUSTOMER');
    expect(nextStatus('setStatus', 'WAITING_CUSTOMER', 'PROCESSING')).toBe('PROCESSING');
    expect(() => nextStatus('setStatus', 'PROCESSING', 'RESOLVED')).toThrow(InvalidTransition);
    expect(() => nextStatus('setStatus', 'PROCESSING', 'PROCESSING')).toThrow(InvalidTransition);
  });
});

describe('managers change who holds a ticket in progress', () => {
  it('reassign and return to the pool: managers only, while the ticket is worked on', () => {
    for (const c of ['reassign', 'returnToPool'] as Command[]) {
      expect(availability(c, 'WAITING_CUSTOMER', rel('manager')).allowed).toBe(true);
      expect(() => authorize(c, 'PROCESSING', rel('assignee', 'eligibleAgent'))).toThrow(NotAllowed);
      expect(() => authorize(c, 'PENDING_ACCEPT', rel('manager'))).toThrow(InvalidTransition);
    }
    expect(nextStatus('returnToPool', 'WAITING_THIRD_PARTY')).toBe('NEW');
  });
});

describe('sharers (共享人, 仅可查看工单)', () => {
  it('a sharer who holds nothing else may not comment at all, whatever else lets them see the ticket', () => {
    const sharer = addSharer(rel('anyone', 'internal', 'eligibleAgent'), true);
    expect(sharer.has('sharer')).toBe(true);
    expect(availability('comment', 'PROCESSING', sharer)).toEqual({ allowed: false, reason: 'Sharers can only view this ticket' });
    expect(() => authorize('comment', 'PROCESSING', sharer)).toThrow(NotAllowed);
    // Someone not listed as a sharer writes as before.
    expect(availability('comment', 'PROCESSING', addSharer(rel('anyone', 'internal'), false)).allowed).toBe(true);
  });

  it('is no longer read-only once they work on the ticket again, or created it, or manage', () => {
    for (const r of ['assignee', 'assistHandler', 'creator', 'manager'] as Relation[]) {
      const relations = addSharer(rel('anyone', r), true);
      expect(relations.has('sharer')).toBe(false);
      expect(availability('comment', 'PROCESSING', relations).allowed).toBe(true);
    }
  });
});
