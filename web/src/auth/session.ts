// The signed-in person: token in localStorage (per browser profile), profile from `me`.
import { computed, ref } from 'vue';

const KEY = 'gongdan.token';

export interface Me {
  id: string;
  name: string;
  email?: string | null;
  role: 'CUSTOMER' | 'AGENT' | 'MANAGER' | 'STAFF' | 'ADMIN';
  presence?: 'ONLINE' | 'AWAY' | 'OFFLINE' | null;
}

const token = ref<string | null>(localStorage.getItem(KEY));
const me = ref<Me | null>(null);

export const session = {
  token,
  me,
  isInternal: computed(() => !!me.value && me.value.role !== 'CUSTOMER'),
  isManager: computed(() => me.value?.role === 'MANAGER' || me.value?.role === 'ADMIN'),
  signIn(t: string, profile: Me) {
    token.value = t;
    me.value = profile;
    localStorage.setItem(KEY, t);
  },
  signOut() {
    token.value = null;
    me.value = null;
    localStorage.removeItem(KEY);
  },
};
