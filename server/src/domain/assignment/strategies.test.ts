import { describe, expect, it } from 'vitest';
import { route, type Candidate, type RoutingInput } from './strategies.ts';

const agent = (id: string, o: Partial<Candidate> = {}): Candidate => ({
  id,
  name: id,
  online: true,
  openTickets: 0,
  capacity: 5,
  senior: false,
  skills: [],
  lastAssignedAt: null,
  ...o,
});
const input = (candidates: Candidate[], o: Partial<RoutingInput> = {}): RoutingInput => ({
  candidates,
  dedicatedAgentId: null,
  tier: null,
  wantedSkills: [],
  exclude: new Set(),
  ...o,
});

describe('auto dispatch', () => {
  it('gives the customer\'s dedicated agent the ticket when they can take it', () => {
    const d = route(input([agent('a'), agent('dedi')], { dedicatedAgentId: 'dedi' }));
    expect(d).toEqual({ agentId: 'dedi', reasons: ['dedicated agent dedi is available'] });
  });

  it('skips an away or full dedicated agent, and says why', () => {
    const d = route(input([agent('a'), agent('dedi', { online: false })], { dedicatedAgentId: 'dedi' }));
    expect(d.agentId).toBe('a');
    expect(d.reasons[0]).toBe('dedicated agent dedi is not online');
    const full = route(input([agent('a'), agent('dedi', { openTickets: 5 })], { dedicatedAgentId: 'dedi' }));
    expect(full.reasons[0]).toBe('dedicated agent dedi is at capacity');
  });

  it('round robin: least recently assigned first; skills win ties; nobody online means nobody', () => {
    const cands = [agent('a', { lastAssignedAt: new Date(2000) }), agent('b', { lastAssignedAt: new Date(1000) }), agent('c', { lastAssignedAt: new Date(3000), skills: ['退款'] })];
    expect(route(input(cands)).agentId).toBe('b');
    expect(route(input(cands, { wantedSkills: ['退款'] })).agentId).toBe('c');
    expect(route(input(cands.map((c) => ({ ...c, online: false })))).agentId).toBeNull();
  });

  it('VIP customers go to senior agents when any is free', () => {
    const cands = [agent('junior', { lastAssignedAt: new Date(0) }), agent('senior', { senior: true, lastAssignedAt: new Date(9000) })];
    expect(route(input(cands, { tier: 'VIP' })).agentId).toBe('senior');
    expect(route(input(cands, { tier: 'NORMAL' })).agentId).toBe('junior');
  });

  it('never offers again to someone who already passed', () => {
    expect(route(input([agent('a'), agent('b')], { exclude: new Set(['a']) })).agentId).toBe('b');
    expect(route(input([agent('a')], { exclude: new Set(['a']) })).agentId).toBeNull();
  });
});
