import type zhCN from './zh-CN.ts';

// English; the same keys as zh-CN (the type makes a missing key a compile error).
const en: typeof zhCN = {
  app: { name: 'gongdan', tagline: 'Customer service tickets' },
  nav: { board: 'Board', newTicket: 'New ticket', tickets: 'Tickets', settings: 'Settings', portal: 'Customer portal', logout: 'Log out' },
  login: {
    title: 'Log in', email: 'Email', password: 'Password', submit: 'Log in', failed: 'Email or password is incorrect',
    demo: "Demo logins: agent1{'@'}gongdan.dev / manager1{'@'}gongdan.dev / customer1{'@'}gongdan.dev, password gongdan123",
  },
  connection: { live: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting…', offline: 'Offline' },
  presence: { ONLINE: 'Online', AWAY: 'Away', OFFLINE: 'Offline' },
  role: { CUSTOMER: 'Customer', AGENT: 'Agent', MANAGER: 'Manager', STAFF: 'Staff', ADMIN: 'Admin' },
  status: {
    NEW: 'In pool', PENDING_ACCEPT: 'Awaiting acceptance', PROCESSING: 'Processing', WAITING_CUSTOMER: 'Waiting on customer',
    WAITING_THIRD_PARTY: 'Waiting on third party', RESOLVED: 'Resolved', CLOSED: 'Closed',
  },
  priority: { URGENT: 'Urgent', HIGH: 'High', NORMAL: 'Normal', LOW: 'Low' },
  channel: { WEB: 'Web', PORTAL: 'Portal', EMAIL: 'Email', CHAT: 'Chat', PHONE: 'Phone', API: 'API', OFFLINE_MESSAGE: 'Offline message' },
  replyMethod: { SMS: 'SMS', EMAIL: 'Email', IM: 'In-app' },
  common: { save: 'Save', cancel: 'Cancel', confirm: 'OK', search: 'Search', all: 'All', none: 'None', loading: 'Loading…', empty: 'Nothing here', retry: 'Retry' },
};

export default en;
