// Auto dispatch (自动派单): choosing an agent for a new ticket. A strategy is a pure
// function of the candidates and the ticket, returning the choice and the reasons,
// which are stored with the offer and shown in the timeline. Strategies compose: the
// first one that picks somebody wins.

export interface Candidate {
  id: string;
  name: string;
  online: boolean;
  openTickets: number;
  capacity: number;
  senior: boolean;
  skills: readonly string[];
  lastAssignedAt: Date | null;
}

export interface RoutingInput {
  candidates: readonly Candidate[];
  /** The contact's dedicated agent, else the organisation's. */
  dedicatedAgentId: string | null;
  tier: 'VIP' | 'NORMAL' | null;
  /** Skills the ticket asks for (e.g. tags); candidates with more matches win ties. */
  wantedSkills: readonly string[];
  /** Agents who already declined or let this ticket's offer expire. */
  exclude: ReadonlySet<string>;
}

export interface Decision {
  agentId: string | null;
  reasons: string[];
}

export type Strategy = (input: RoutingInput, available: readonly Candidate[]) => Decision | null;

const hasRoom = (c: Candidate) => c.openTickets < c.capacity;

/** Candidates auto dispatch may pick at all: online, under capacity, not excluded. */
export function available(input: RoutingInput): Candidate[] {
  return input.candidates.filter((c) => c.online && hasRoom(c) && !input.exclude.has(c.id));
}

export const dedicatedAgent: Strategy = (input, avail) => {
  if (!input.dedicatedAgentId) return null;
  const c = avail.find((x) => x.id === input.dedicatedAgentId);
  if (c) return { agentId: c.id, reasons: [`dedicated agent ${c.name} is available`] };
  const known = input.candidates.find((x) => x.id === input.dedicatedAgentId);
  const why = !known
    ? 'is not eligible for this ticket type'
    : input.exclude.has(known.id)
      ? 'already passed on this ticket'
      : !known.online
        ? 'is not online'
        : 'is at capacity';
  // Not a decision: record why the dedicated agent was skipped and let the next strategy run.
  return { agentId: null, reasons: [`dedicated agent ${known?.name ?? ''} ${why}`.replace('  ', ' ')] };
};

/** VIP customers go to senior agents when any is available. */
export const seniorForVip: Strategy = (input, avail) => {
  if (input.tier !== 'VIP') return null;
  const seniors = avail.filter((c) => c.senior);
  if (seniors.length === 0) return { agentId: null, reasons: ['VIP customer but no senior agent available'] };
  const pick = roundRobinPick(seniors, input.wantedSkills);
  return { agentId: pick.id, reasons: [`VIP customer: senior agent ${pick.name}`, ...why(pick, input.wantedSkills)] };
};

/** Round robin: the agent assigned least recently, preferring skill matches, then the least loaded. */
export const roundRobin: Strategy = (input, avail) => {
  if (avail.length === 0) return { agentId: null, reasons: ['no eligible agent is online with spare capacity'] };
  const pick = roundRobinPick(avail, input.wantedSkills);
  return { agentId: pick.id, reasons: [`round robin: ${pick.name}`, ...why(pick, input.wantedSkills)] };
};

function skillMatches(c: Candidate, wanted: readonly string[]) {
  return wanted.filter((s) => c.skills.includes(s)).length;
}

function why(c: Candidate, wanted: readonly string[]) {
  const m = wanted.filter((s) => c.skills.includes(s));
  return [`load ${c.openTickets}/${c.capacity}`, ...(m.length ? [`skills ${m.join(', ')}`] : [])];
}

function roundRobinPick(cands: readonly Candidate[], wanted: readonly string[]): Candidate {
  return [...cands].sort(
    (a, b) =>
      skillMatches(b, wanted) - skillMatches(a, wanted) ||
      (a.lastAssignedAt?.getTime() ?? 0) - (b.lastAssignedAt?.getTime() ?? 0) ||
      a.openTickets / Math.max(a.capacity, 1) - b.openTickets / Math.max(b.capacity, 1) ||
      a.id.localeCompare(b.id),
  )[0]!;
}

export const DEFAULT_STRATEGIES: readonly Strategy[] = [dedicatedAgent, seniorForVip, roundRobin];

/** Runs the strategies in order and collects every reason along the way. */
export function route(input: RoutingInput, strategies: readonly Strategy[] = DEFAULT_STRATEGIES): Decision {
  const avail = available(input);
  const reasons: string[] = [];
  for (const s of strategies) {
    const d = s(input, avail);
    if (!d) continue;
    reasons.push(...d.reasons);
    if (d.agentId) return { agentId: d.agentId, reasons };
  }
  return { agentId: null, reasons: reasons.length ? reasons : ['no strategy found an agent'] };
}
