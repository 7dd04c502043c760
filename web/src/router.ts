import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { loadMe } from './auth/load-me.ts';
import { session } from './auth/session.ts';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./auth/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('./layouts/AppShell.vue'),
    meta: { internal: true },
    children: [
      { path: '', name: 'board', component: () => import('./features/board/BoardView.vue') },
      { path: 'tickets/new', name: 'ticket-new', component: () => import('./features/create/CreateTicketView.vue') },
      { path: 'tickets/:id', name: 'ticket', component: () => import('./features/ticket/TicketView.vue'), props: true },
      { path: 'settings/:tab?', name: 'settings', component: () => import('./features/settings/SettingsView.vue'), props: true, meta: { manager: true } },
    ],
  },
  {
    path: '/portal',
    component: () => import('./features/portal/PortalLayout.vue'),
    children: [
      { path: '', name: 'portal', component: () => import('./features/portal/PortalTicketsView.vue') },
      { path: 'new', name: 'portal-new', component: () => import('./features/portal/PortalCreateView.vue') },
      { path: 'tickets/:id', name: 'portal-ticket', component: () => import('./features/portal/PortalTicketView.vue'), props: true },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.token.value) return { name: 'login', query: { next: to.fullPath } };
  if (!session.me.value && !(await loadMe())) return { name: 'login', query: { next: to.fullPath } };
  const me = session.me.value!;
  // Customers live in the portal; staff on the board.
  if (me.role === 'CUSTOMER' && !to.path.startsWith('/portal')) return { name: 'portal' };
  if (me.role !== 'CUSTOMER' && to.path.startsWith('/portal')) return { name: 'board' };
  if (to.meta.manager && !session.isManager.value) return { name: 'board' };
  return true;
});
