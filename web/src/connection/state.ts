// The websocket's state, for the indicator in the header, and a reconnect signal the
// board listens to (after a reconnect it cannot know what it missed: it refetches).
import { ref } from 'vue';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

const state = ref<ConnectionState>('connecting');
const reconnects = ref(0);

export const connection = {
  state,
  /** Increments on every reconnect; watch it to refetch. */
  reconnects,
  set(s: ConnectionState) {
    state.value = s;
  },
  reconnected() {
    reconnects.value++;
  },
};
