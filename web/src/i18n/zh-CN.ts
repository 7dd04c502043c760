// Simplified Chinese: the default language of the board and the portal.
export default {
  app: { name: '工单', tagline: '客服工单系统' },
  nav: { board: '工作台', newTicket: '新建工单', tickets: '工单列表', settings: '设置', portal: '客户门户', logout: '退出登录' },
  login: {
    title: '登录', email: '邮箱', password: '密码', submit: '登录', failed: '邮箱或密码错误',
    demo: "演示账号：agent1{'@'}gongdan.dev / manager1{'@'}gongdan.dev / customer1{'@'}gongdan.dev，密码 gongdan123",
  },
  connection: { live: '实时', connecting: '连接中', reconnecting: '重新连接中…', offline: '离线' },
  presence: { ONLINE: '在线', AWAY: '离开', OFFLINE: '离线' },
  role: { CUSTOMER: '客户', AGENT: '客服', MANAGER: '工单管理员', STAFF: '内部人员', ADMIN: '管理员' },
  status: {
    NEW: '待分配', PENDING_ACCEPT: '待接单', PROCESSING: '处理中', WAITING_CUSTOMER: '等待客户回复',
    WAITING_THIRD_PARTY: '等待第三方', RESOLVED: '已解决', CLOSED: '已关闭',
  },
  priority: { URGENT: '紧急', HIGH: '高', NORMAL: '中', LOW: '低' },
  channel: { WEB: '网页', PORTAL: '客户门户', EMAIL: '邮件', CHAT: '在线聊天', PHONE: '电话', API: 'API', OFFLINE_MESSAGE: '留言' },
  replyMethod: { SMS: '短信', EMAIL: '邮件', IM: '站内消息' },
  common: { save: '保存', cancel: '取消', confirm: '确定', search: '搜索', all: '全部', none: '无', loading: '加载中…', empty: '暂无数据', retry: '重试' },
};
