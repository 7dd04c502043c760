// The people settings pick from (eligible agents, team members, dedicated agents,
// the user an API token acts as). One query, shared through Apollo's cache.
import { useQuery } from '@vue/apollo-composable';
import { computed } from 'vue';
import { SettingsUsersDocument } from '../../graphql/generated/graphql.ts';

export function usePeople() {
  const q = useQuery(SettingsUsersDocument);
  const all = computed(() => q.result.value?.users.edges.map((e) => e.node) ?? []);
  return {
    ...q,
    all,
    /** Active agents and managers: who can serve tickets. */
    servers: computed(() => all.value.filter((u) => u.active && (u.role === 'AGENT' || u.role === 'MANAGER'))),
    /** Active internal people: who can join teams. */
    internal: computed(() => all.value.filter((u) => u.active && u.role !== 'CUSTOMER')),
  };
}
