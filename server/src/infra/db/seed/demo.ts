// Demo master data: the people, teams, ticket types, SLA policies and customers of a
// small Chinese software company (云帆工单 customer service), so that a fresh install
// has something to log in to and route tickets through.
//
// Idempotent by natural keys, with create-only semantics:
//   - users by email, teams / ticket types / organisations by name, contacts by email,
//     fields by (typeId, key), default SLA policies by (priority, tier) with no type;
//   - a row that already exists is never updated (passwords, presence, settings an admin
//     changed stay as they are);
//   - join rows (team members, eligible agents/teams, assist teams) are only written
//     for a team or type created by this run, so a membership an admin removed does not
//     come back on the next boot. Fields are keyed and never deleted (only archived), so
//     they are created by key for every demo type.
// Everything runs in one transaction behind an advisory lock, so two instances seeding
// the same empty database at the same time cannot duplicate the key-less rows
// (contacts, SLA policies).
//
// No tickets here: those are created later through the lifecycle services, using the
// id maps this function returns.

import { performance } from 'node:perf_hooks';
import {
  AssignmentMode,
  AssistRule,
  CustomerTier,
  FieldEditor,
  FieldKind,
  Presence,
  Priority,
  Prisma,
  Role,
  TeamKind,
  type PrismaClient,
} from '../generated/client.ts';
import { hashPassword } from '../../../services/auth/password.ts';

// ───────────────────────────────────── constants ─────────────────────────────────────

/**
 * The password of every demo user. Documented in the README; change it in production.
 * The seed stores its hash directly, not through the services: it is easy to remember
 * and so would not pass the password policy, which applies to passwords people set.
 */
export const DEMO_PASSWORD = 'gongdan123';
export const DEMO_EMAIL_DOMAIN = 'gongdan.dev';

/** Arbitrary constant key for pg_advisory_xact_lock, serialising concurrent seeders. */
const SEED_LOCK_KEY = 7_263_001;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// ─────────────────────────────────────── people ───────────────────────────────────────

export interface DemoUserSpec {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly skills?: readonly string[];
  readonly capacity?: number;
  readonly senior?: boolean;
  readonly presence?: Presence;
}

export const DEMO_ADMIN: DemoUserSpec = {
  email: 'admin@gongdan.dev',
  name: '郑海涛',
  role: Role.ADMIN,
  presence: Presence.ONLINE,
};

export const DEMO_MANAGERS: readonly DemoUserSpec[] = [
  { email: 'manager1@gongdan.dev', name: '周建国', role: Role.MANAGER, presence: Presence.ONLINE },
  { email: 'manager2@gongdan.dev', name: '吴婷', role: Role.MANAGER, presence: Presence.ONLINE },
];

export const DEMO_AGENTS: readonly DemoUserSpec[] = [
  { email: 'agent1@gongdan.dev', name: '王晓梅', role: Role.AGENT, skills: ['账户', '产品', '投诉'], capacity: 12, senior: true, presence: Presence.ONLINE },
  { email: 'agent2@gongdan.dev', name: '李俊', role: Role.AGENT, skills: ['支付', '退款', '发票'], capacity: 10, presence: Presence.ONLINE },
  { email: 'agent3@gongdan.dev', name: '张敏', role: Role.AGENT, skills: ['产品', '账户'], capacity: 15, presence: Presence.ONLINE },
  { email: 'agent4@gongdan.dev', name: '刘洋', role: Role.AGENT, skills: ['网络', '硬件'], capacity: 10, presence: Presence.AWAY },
  { email: 'agent5@gongdan.dev', name: '陈静', role: Role.AGENT, skills: ['网络', '账户', '投诉'], capacity: 12, senior: true, presence: Presence.ONLINE },
  { email: 'agent6@gongdan.dev', name: '杨帆', role: Role.AGENT, skills: ['网络', '硬件', '产品'], capacity: 8, senior: true, presence: Presence.ONLINE },
  { email: 'agent7@gongdan.dev', name: '赵磊', role: Role.AGENT, skills: ['硬件', '网络'], capacity: 10, presence: Presence.ONLINE },
  { email: 'agent8@gongdan.dev', name: '孙丽', role: Role.AGENT, skills: ['支付', '退款', '发票'], capacity: 8, presence: Presence.OFFLINE },
];

/** Internal colleagues who are not agents: they answer assist requests (转办). */
export const DEMO_STAFF: readonly DemoUserSpec[] = [
  { email: 'staff1@gongdan.dev', name: '黄志强', role: Role.STAFF, skills: ['研发', '网络'], presence: Presence.ONLINE },
  { email: 'staff2@gongdan.dev', name: '林晓燕', role: Role.STAFF, skills: ['财务', '发票', '退款'], presence: Presence.ONLINE },
  { email: 'staff3@gongdan.dev', name: '何伟', role: Role.STAFF, skills: ['研发', '运维'], presence: Presence.AWAY },
];

// ──────────────────────────────── customers and contacts ────────────────────────────────

export interface DemoContactSpec {
  readonly name: string;
  /** Natural key of the contact (lower-case ASCII). */
  readonly email: string;
  readonly phone: string;
  /** Contact-level 专属客服; wins over the organisation's. */
  readonly dedicatedAgent?: string;
  /** Creates a CUSTOMER portal login with the contact's email and name. */
  readonly login?: boolean;
}

export interface DemoOrganizationSpec {
  readonly name: string;
  readonly tier: CustomerTier;
  readonly dedicatedAgent?: string;
  readonly notes?: string;
  readonly contacts: readonly DemoContactSpec[];
}

export const DEMO_ORGANIZATIONS: readonly DemoOrganizationSpec[] = [
  {
    name: '杭州云帆科技有限公司',
    tier: CustomerTier.VIP,
    dedicatedAgent: 'agent1@gongdan.dev',
    notes: '企业版年度客户，合同编号 YF-2024-0187，续约窗口每年 3 月。',
    contacts: [
      // Contact-level dedicated agent differs from the organisation's (agent1).
      { name: '钱志远', email: 'customer1@gongdan.dev', phone: '13857120341', dedicatedAgent: 'agent5@gongdan.dev', login: true },
      { name: '冯雪', email: 'customer2@gongdan.dev', phone: '13957198823', login: true },
      { name: '褚建华', email: 'chu.jianhua@yunfan-tech.cn', phone: '0571-88231145' },
    ],
  },
  {
    name: '上海锦程物流股份有限公司',
    tier: CustomerTier.VIP,
    dedicatedAgent: 'agent5@gongdan.dev',
    notes: '全国 32 个分拨中心使用工单云对接仓储系统，故障需优先响应。',
    contacts: [
      { name: '蒋文博', email: 'customer3@gongdan.dev', phone: '13601762290', login: true },
      { name: '沈佳怡', email: 'shen.jiayi@jincheng-logistics.com', phone: '13818654017', dedicatedAgent: 'agent6@gongdan.dev' },
    ],
  },
  {
    name: '北京博远教育科技有限公司',
    tier: CustomerTier.NORMAL,
    dedicatedAgent: 'agent3@gongdan.dev',
    contacts: [
      { name: '韩磊', email: 'customer4@gongdan.dev', phone: '13911027456', login: true },
      { name: '杨秋月', email: 'yang.qiuyue@boyuan-edu.com', phone: '010-62548812' },
    ],
  },
  {
    name: '深圳市鑫达电子有限公司',
    tier: CustomerTier.NORMAL,
    contacts: [
      // No organisation-level dedicated agent, only a contact-level one.
      { name: '曹宇', email: 'customer5@gongdan.dev', phone: '13714258830', dedicatedAgent: 'agent7@gongdan.dev', login: true },
      { name: '彭丽', email: 'peng.li@xinda-elec.com', phone: '13590376614' },
    ],
  },
  {
    name: '广州美家家居用品有限公司',
    tier: CustomerTier.NORMAL,
    dedicatedAgent: 'agent2@gongdan.dev',
    notes: '电商客户，订单与退款问题较多。',
    contacts: [
      { name: '谢婷', email: 'customer6@gongdan.dev', phone: '13622281907', login: true },
      { name: '罗强', email: 'luo.qiang@meijia-home.com', phone: '020-83364720' },
    ],
  },
  {
    name: '成都天府餐饮管理有限公司',
    tier: CustomerTier.NORMAL,
    contacts: [{ name: '唐欣', email: 'customer7@gongdan.dev', phone: '18980045126', login: true }],
  },
  {
    name: '南京华瑞医疗器械有限公司',
    tier: CustomerTier.NORMAL,
    dedicatedAgent: 'agent3@gongdan.dev',
    contacts: [
      { name: '许晨', email: 'customer8@gongdan.dev', phone: '13770618452', dedicatedAgent: 'agent1@gongdan.dev', login: true },
      { name: '郭静怡', email: 'guo.jingyi@huarui-med.com', phone: '025-84719036' },
    ],
  },
  {
    name: '武汉长江印务有限公司',
    tier: CustomerTier.NORMAL,
    contacts: [{ name: '邓浩然', email: 'customer9@gongdan.dev', phone: '13871520364', login: true }],
  },
  {
    name: '苏州恒通精密机械有限公司',
    tier: CustomerTier.NORMAL,
    dedicatedAgent: 'agent7@gongdan.dev',
    contacts: [
      { name: '袁芳', email: 'customer10@gongdan.dev', phone: '15950087713', login: true },
      { name: '陆志明', email: 'lu.zhiming@hengtong-mach.com', phone: '0512-65281193' },
    ],
  },
  {
    name: '西安秦风文化传媒有限公司',
    tier: CustomerTier.NORMAL,
    contacts: [
      { name: '马骏', email: 'ma.jun@qinfeng-media.com', phone: '13909183325' },
      { name: '潘雨', email: 'pan.yu@qinfeng-media.com', phone: '18629047716' },
    ],
  },
];

/** Individual customers without an organisation. */
export const DEMO_INDIVIDUAL_CONTACTS: readonly DemoContactSpec[] = [
  { name: '吕思琪', email: 'lv.siqi@example.cn', phone: '13521876609', dedicatedAgent: 'agent4@gongdan.dev' },
];

export const DEMO_CUSTOMERS: readonly DemoUserSpec[] = [
  ...DEMO_ORGANIZATIONS.flatMap((o) => o.contacts),
  ...DEMO_INDIVIDUAL_CONTACTS,
]
  .filter((c) => c.login)
  .map((c) => ({ email: c.email, name: c.name, role: Role.CUSTOMER }));

export const DEMO_USERS: readonly DemoUserSpec[] = [
  DEMO_ADMIN,
  ...DEMO_MANAGERS,
  ...DEMO_AGENTS,
  ...DEMO_STAFF,
  ...DEMO_CUSTOMERS,
];

/** Demo login emails by role, for docs, tests and the login page's hints. */
export const DEMO_EMAILS: Readonly<Record<Role, readonly string[]>> = {
  [Role.ADMIN]: [DEMO_ADMIN.email],
  [Role.MANAGER]: DEMO_MANAGERS.map((u) => u.email),
  [Role.AGENT]: DEMO_AGENTS.map((u) => u.email),
  [Role.STAFF]: DEMO_STAFF.map((u) => u.email),
  [Role.CUSTOMER]: DEMO_CUSTOMERS.map((u) => u.email),
};

// ──────────────────────────────────────── teams ────────────────────────────────────────

export interface DemoTeamSpec {
  readonly name: string;
  readonly description: string;
  readonly kind: TeamKind;
  readonly assistRule: AssistRule;
  readonly members: readonly { readonly email: string; readonly isManager?: boolean }[];
}

export const DEMO_TEAMS: readonly DemoTeamSpec[] = [
  {
    name: '一线客服组',
    description: '一线客服：受理账户、订单、产品咨询等常规问题。',
    kind: TeamKind.SERVICE,
    assistRule: AssistRule.MANAGER,
    members: [1, 2, 3, 4, 5].map((n) => ({ email: `agent${n}@gongdan.dev` })),
  },
  {
    name: '二线技术组',
    description: '二线技术支持：处理连接、配置、性能、兼容性等技术问题。',
    kind: TeamKind.SERVICE,
    assistRule: AssistRule.MANAGER,
    members: [5, 6, 7, 8].map((n) => ({ email: `agent${n}@gongdan.dev` })),
  },
  {
    name: '技术支持组',
    description: '研发与运维同事，接收需要排查代码、日志或服务器的转办请求；组内自动分配。',
    kind: TeamKind.ASSIST,
    assistRule: AssistRule.AUTO,
    members: [
      { email: 'staff1@gongdan.dev', isManager: true },
      { email: 'staff3@gongdan.dev' },
      { email: 'agent6@gongdan.dev' },
    ],
  },
  {
    name: '财务组',
    description: '财务同事，处理退款审核、发票开具与支付对账；由组长派单。',
    kind: TeamKind.ASSIST,
    assistRule: AssistRule.MANAGER,
    members: [
      { email: 'staff2@gongdan.dev', isManager: true },
      { email: 'agent2@gongdan.dev' },
      { email: 'agent8@gongdan.dev' },
    ],
  },
];

export const DEMO_TEAM_NAMES = DEMO_TEAMS.map((t) => t.name);

// ───────────────────────────────────── ticket types ─────────────────────────────────────

export interface DemoSelectOption {
  readonly value: string;
  readonly label: string;
}

export interface DemoFieldSpec {
  readonly key: string;
  readonly label: string;
  readonly description?: string;
  readonly kind: FieldKind;
  readonly required?: boolean;
  readonly customerVisible?: boolean;
  readonly editableBy?: readonly FieldEditor[];
  readonly options?: readonly DemoSelectOption[];
  readonly maxLength?: number;
}

export interface DemoTicketTypeSpec {
  readonly name: string;
  readonly description: string;
  readonly assignmentModes: readonly AssignmentMode[];
  /** 自动派单后需人员确认接单 */
  readonly acceptAfterAutoDispatch: boolean;
  /** 管理员派单后需人员确认接单 */
  readonly acceptAfterManagerDispatch: boolean;
  readonly acceptTimeoutSeconds?: number;
  readonly defaultPriority: Priority;
  /** null = resolved tickets never close by themselves. */
  readonly autoCloseAfterSeconds: number | null;
  /** Empty agents and teams = every active agent is eligible. */
  readonly eligibleAgents?: readonly string[];
  readonly eligibleTeams?: readonly string[];
  readonly assistTeams?: readonly string[];
  /** In display order; `position` is the index. */
  readonly fields: readonly DemoFieldSpec[];
}

const opts = (pairs: readonly (readonly [string, string])[]): DemoSelectOption[] =>
  pairs.map(([value, label]) => ({ value, label }));

export const DEMO_TICKET_TYPES: readonly DemoTicketTypeSpec[] = [
  {
    name: '技术支持',
    description:
      '技术相关问题：连接问题、配置问题、性能问题、兼容性问题、使用教程。处理要点：快速诊断问题，提供解决方案，必要时远程协助，跟进直到解决。',
    assignmentModes: [AssignmentMode.AUTO, AssignmentMode.GRAB],
    acceptAfterAutoDispatch: true,
    acceptAfterManagerDispatch: false,
    acceptTimeoutSeconds: 10 * MINUTE,
    defaultPriority: Priority.NORMAL,
    autoCloseAfterSeconds: 7 * DAY,
    eligibleTeams: ['二线技术组'],
    eligibleAgents: ['agent4@gongdan.dev'],
    assistTeams: ['技术支持组'],
    fields: [
      { key: 'device_model', label: '设备型号', description: '例如：华为 MateBook 14、联想 ThinkPad X1、iPhone 15', kind: FieldKind.TEXT, required: true, maxLength: 64 },
      {
        key: 'os',
        label: '操作系统',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['windows', 'Windows'], ['macos', 'macOS'], ['linux', 'Linux'], ['android', 'Android'], ['ios', 'iOS']]),
      },
      {
        key: 'issue_category',
        label: '问题类别',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['connection', '连接问题'], ['configuration', '配置问题'], ['performance', '性能问题'], ['compatibility', '兼容性问题'], ['tutorial', '使用教程']]),
      },
      { key: 'occurred_at', label: '发生时间', description: '问题首次出现的日期', kind: FieldKind.DATE },
      {
        key: 'remote_assist',
        label: '远程协助',
        description: '是否已安排远程协助（内部字段，客户不可见）',
        kind: FieldKind.CHECKBOX,
        customerVisible: false,
        editableBy: [FieldEditor.ASSIGNEE],
      },
    ],
  },
  {
    name: '账户问题',
    description:
      '账户相关问题：登录问题、密码重置、账户安全、信息修改、账户注销。处理要点：验证用户身份，保护账户安全，及时处理请求，记录操作日志。',
    assignmentModes: [AssignmentMode.MANAGER],
    acceptAfterAutoDispatch: false,
    acceptAfterManagerDispatch: true,
    acceptTimeoutSeconds: 15 * MINUTE,
    defaultPriority: Priority.NORMAL,
    autoCloseAfterSeconds: 7 * DAY,
    eligibleTeams: ['一线客服组'],
    assistTeams: ['技术支持组'],
    fields: [
      { key: 'account', label: '账号', description: '登录手机号、邮箱或用户名', kind: FieldKind.TEXT, required: true, maxLength: 64 },
      {
        key: 'issue_category',
        label: '问题类别',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['login', '登录问题'], ['password_reset', '密码重置'], ['security', '账户安全'], ['profile_update', '信息修改'], ['account_closure', '账户注销']]),
      },
      {
        key: 'identity_verified',
        label: '已验证身份',
        description: '客服核实身份后勾选（内部字段）',
        kind: FieldKind.CHECKBOX,
        customerVisible: false,
        editableBy: [FieldEditor.ASSIGNEE, FieldEditor.MANAGER],
      },
    ],
  },
  {
    name: '订单问题',
    description:
      '订单相关问题：订单查询、支付问题、退款申请、发票开具、订单修改。处理要点：核实订单信息，按流程处理，及时反馈进度，确保用户满意。',
    assignmentModes: [AssignmentMode.GRAB, AssignmentMode.MANAGER],
    acceptAfterAutoDispatch: false,
    acceptAfterManagerDispatch: false,
    defaultPriority: Priority.NORMAL,
    autoCloseAfterSeconds: 7 * DAY,
    assistTeams: ['财务组'],
    fields: [
      { key: 'order_no', label: '订单号', description: '例如：DD20240615000123', kind: FieldKind.ORDER_REF, required: true, maxLength: 32 },
      {
        key: 'issue_category',
        label: '问题类别',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['order_query', '订单查询'], ['payment', '支付问题'], ['refund', '退款申请'], ['invoice', '发票开具'], ['order_change', '订单修改']]),
      },
      { key: 'amount', label: '金额', description: '涉及金额（元）', kind: FieldKind.NUMBER },
      {
        key: 'refund_reason',
        label: '退款原因',
        kind: FieldKind.LONG_TEXT,
        maxLength: 2000,
        editableBy: [FieldEditor.CREATOR, FieldEditor.ASSIGNEE],
      },
      {
        key: 'finance_owner',
        label: '负责财务',
        description: '跟进此单的财务同事（内部字段）',
        kind: FieldKind.USER,
        customerVisible: false,
        editableBy: [FieldEditor.ASSIGNEE, FieldEditor.MANAGER],
      },
    ],
  },
  {
    name: '产品咨询',
    description:
      '产品相关咨询：产品功能、套餐选择、使用建议、升级方案、价格政策。处理要点：专业解答问题，推荐合适方案，提供详细资料，促进转化购买。',
    assignmentModes: [AssignmentMode.AUTO],
    acceptAfterAutoDispatch: false,
    acceptAfterManagerDispatch: false,
    defaultPriority: Priority.LOW,
    autoCloseAfterSeconds: 3 * DAY,
    fields: [
      {
        key: 'product',
        label: '咨询产品',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['standard', '工单云·标准版'], ['professional', '工单云·专业版'], ['enterprise', '工单云·企业版'], ['chatbot', '智能客服机器人'], ['call_center', '云呼叫中心']]),
      },
      {
        key: 'interests',
        label: '关注点',
        kind: FieldKind.MULTI_SELECT,
        options: opts([['features', '产品功能'], ['plans', '套餐选择'], ['usage_advice', '使用建议'], ['upgrade', '升级方案'], ['pricing', '价格政策']]),
      },
      { key: 'budget', label: '预算', description: '预计年度预算（元），选填', kind: FieldKind.NUMBER },
    ],
  },
  {
    name: '投诉建议',
    description:
      '用户反馈：服务投诉、产品建议、功能需求、体验反馈。处理要点：认真倾听，及时响应，妥善处理，跟踪改进。投诉须回访确认后由管理员关闭，不自动关闭。',
    assignmentModes: [AssignmentMode.MANAGER],
    acceptAfterAutoDispatch: false,
    acceptAfterManagerDispatch: false,
    defaultPriority: Priority.HIGH,
    autoCloseAfterSeconds: null,
    eligibleAgents: ['agent1@gongdan.dev', 'agent5@gongdan.dev'],
    assistTeams: ['技术支持组', '财务组'],
    fields: [
      {
        key: 'feedback_type',
        label: '反馈类型',
        kind: FieldKind.SINGLE_SELECT,
        required: true,
        options: opts([['service_complaint', '服务投诉'], ['product_suggestion', '产品建议'], ['feature_request', '功能需求'], ['experience', '体验反馈']]),
      },
      { key: 'related_order_no', label: '关联订单号', kind: FieldKind.ORDER_REF, maxLength: 32 },
      { key: 'expected_resolution', label: '期望处理方式', kind: FieldKind.LONG_TEXT, maxLength: 2000, editableBy: [FieldEditor.CREATOR] },
    ],
  },
];

export const DEMO_TYPE_NAMES = DEMO_TICKET_TYPES.map((t) => t.name);

// ─────────────────────────────────────── SLA ───────────────────────────────────────

export interface DemoSlaSpec {
  readonly name: string;
  readonly priority: Priority;
  readonly tier: CustomerTier | null;
  readonly firstResponseMinutes: number;
  readonly resolutionMinutes: number;
}

/** Seed 004's targets (priority-only defaults), plus a tighter VIP target for NORMAL. */
export const DEMO_SLA_POLICIES: readonly DemoSlaSpec[] = [
  { name: '紧急 · 15分钟响应 / 4小时解决', priority: Priority.URGENT, tier: null, firstResponseMinutes: 15, resolutionMinutes: 4 * 60 },
  { name: '高 · 2小时响应 / 1天解决', priority: Priority.HIGH, tier: null, firstResponseMinutes: 2 * 60, resolutionMinutes: 24 * 60 },
  { name: '中 · 24小时响应 / 3天解决', priority: Priority.NORMAL, tier: null, firstResponseMinutes: 24 * 60, resolutionMinutes: 3 * 24 * 60 },
  { name: '低 · 3天响应 / 7天解决', priority: Priority.LOW, tier: null, firstResponseMinutes: 3 * 24 * 60, resolutionMinutes: 7 * 24 * 60 },
  { name: 'VIP 中 · 4小时响应 / 1天解决', priority: Priority.NORMAL, tier: CustomerTier.VIP, firstResponseMinutes: 4 * 60, resolutionMinutes: 24 * 60 },
];

// ───────────────────────────────────── summary ─────────────────────────────────────

export interface DemoSeedCounts {
  users: number;
  teams: number;
  teamMembers: number;
  ticketTypes: number;
  ticketFields: number;
  ticketTypeAgents: number;
  ticketTypeTeams: number;
  ticketTypeAssistTeams: number;
  slaPolicies: number;
  organizations: number;
  contacts: number;
}

export interface DemoSeedSummary {
  /** Rows inserted by this run (all zero on a re-run). */
  created: DemoSeedCounts;
  /** Rows the demo data set defines (what a fresh database ends up with). */
  expected: DemoSeedCounts;
  /** User id by (lower-case) email. */
  users: Record<string, string>;
  /** Team id by name. */
  teams: Record<string, string>;
  /** Ticket type id by name. */
  types: Record<string, string>;
  /** Field id by type name, then field key. */
  fields: Record<string, Record<string, string>>;
  /** Organisation id by name. */
  organizations: Record<string, string>;
  /** Contact id by (lower-case) email. */
  contacts: Record<string, string>;
  /** SLA policy id by name. */
  slaPolicies: Record<string, string>;
  durationMs: number;
}

const allContacts = (): { contact: DemoContactSpec; org: string | null }[] => [
  ...DEMO_ORGANIZATIONS.flatMap((o) => o.contacts.map((contact) => ({ contact, org: o.name }))),
  ...DEMO_INDIVIDUAL_CONTACTS.map((contact) => ({ contact, org: null })),
];

/** The row counts a fresh database ends up with after seedDemo. */
export function demoExpectedCounts(): DemoSeedCounts {
  return {
    users: DEMO_USERS.length,
    teams: DEMO_TEAMS.length,
    teamMembers: DEMO_TEAMS.reduce((n, t) => n + t.members.length, 0),
    ticketTypes: DEMO_TICKET_TYPES.length,
    ticketFields: DEMO_TICKET_TYPES.reduce((n, t) => n + t.fields.length, 0),
    ticketTypeAgents: DEMO_TICKET_TYPES.reduce((n, t) => n + (t.eligibleAgents?.length ?? 0), 0),
    ticketTypeTeams: DEMO_TICKET_TYPES.reduce((n, t) => n + (t.eligibleTeams?.length ?? 0), 0),
    ticketTypeAssistTeams: DEMO_TICKET_TYPES.reduce((n, t) => n + (t.assistTeams?.length ?? 0), 0),
    slaPolicies: DEMO_SLA_POLICIES.length,
    organizations: DEMO_ORGANIZATIONS.length,
    contacts: allContacts().length,
  };
}

// ────────────────────────────────────── seeding ──────────────────────────────────────

function need(map: Record<string, string>, key: string, what: string): string {
  const id = map[key];
  if (id === undefined) throw new Error(`demo seed: unknown ${what} "${key}"`);
  return id;
}

function zeroCounts(): DemoSeedCounts {
  return {
    users: 0,
    teams: 0,
    teamMembers: 0,
    ticketTypes: 0,
    ticketFields: 0,
    ticketTypeAgents: 0,
    ticketTypeTeams: 0,
    ticketTypeAssistTeams: 0,
    slaPolicies: 0,
    organizations: 0,
    contacts: 0,
  };
}

/**
 * Seeds the demo company's master data. Safe to run on every boot: a second run
 * inserts nothing and changes nothing.
 */
export async function seedDemo(
  prisma: PrismaClient,
  opts?: { log?: (msg: string) => void },
): Promise<DemoSeedSummary> {
  const log = opts?.log ?? (() => {});
  const started = performance.now();
  const emails = DEMO_USERS.map((u) => u.email.toLowerCase());

  // argon2 is deliberately slow: hash once, outside the transaction, and only when
  // some demo user is actually missing.
  const existingUsers = await prisma.user.count({ where: { email: { in: emails } } });
  const passwordHash = existingUsers < emails.length ? await hashPassword(DEMO_PASSWORD) : null;

  const result = await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${Prisma.raw(String(SEED_LOCK_KEY))})`;
      const created = zeroCounts();
      const now = new Date();

      // ── users ──
      if (passwordHash !== null) {
        const userRows: Prisma.UserCreateManyInput[] = DEMO_USERS.map((u) => ({
          email: u.email.toLowerCase(),
          name: u.name,
          role: u.role,
          passwordHash,
          skills: [...(u.skills ?? [])],
          ...(u.capacity !== undefined ? { capacity: u.capacity } : {}),
          senior: u.senior ?? false,
          presence: u.presence ?? Presence.OFFLINE,
          presenceChangedAt: u.presence !== undefined ? now : null,
        }));
        created.users = (await tx.user.createMany({ data: userRows, skipDuplicates: true })).count;
      }
      // (No hash means every demo user existed before the lock; nothing to create.)
      const users = Object.fromEntries(
        (await tx.user.findMany({ where: { email: { in: emails } }, select: { id: true, email: true } })).map(
          (u) => [u.email, u.id],
        ),
      );
      const userId = (email: string) => need(users, email.toLowerCase(), 'user');

      // ── teams (members only for teams created now) ──
      const newTeams = await tx.team.createManyAndReturn({
        data: DEMO_TEAMS.map((t) => ({ name: t.name, description: t.description, kind: t.kind, assistRule: t.assistRule })),
        skipDuplicates: true,
        select: { id: true, name: true },
      });
      created.teams = newTeams.length;
      const teams = Object.fromEntries(
        (await tx.team.findMany({ where: { name: { in: DEMO_TEAM_NAMES } }, select: { id: true, name: true } })).map(
          (t) => [t.name, t.id],
        ),
      );
      const memberRows: Prisma.TeamMemberCreateManyInput[] = newTeams.flatMap((row) => {
        const spec = DEMO_TEAMS.find((t) => t.name === row.name)!;
        return spec.members.map((m) => ({ teamId: row.id, userId: userId(m.email), isManager: m.isManager ?? false }));
      });
      if (memberRows.length > 0) {
        created.teamMembers = (await tx.teamMember.createMany({ data: memberRows, skipDuplicates: true })).count;
      }

      // ── ticket types (eligibility and assist teams only for types created now) ──
      const newTypes = await tx.ticketType.createManyAndReturn({
        data: DEMO_TICKET_TYPES.map((t) => ({
          name: t.name,
          description: t.description,
          assignmentModes: [...t.assignmentModes],
          acceptAfterAutoDispatch: t.acceptAfterAutoDispatch,
          acceptAfterManagerDispatch: t.acceptAfterManagerDispatch,
          ...(t.acceptTimeoutSeconds !== undefined ? { acceptTimeoutSeconds: t.acceptTimeoutSeconds } : {}),
          defaultPriority: t.defaultPriority,
          autoCloseAfterSeconds: t.autoCloseAfterSeconds,
        })),
        skipDuplicates: true,
        select: { id: true, name: true },
      });
      created.ticketTypes = newTypes.length;
      const types = Object.fromEntries(
        (await tx.ticketType.findMany({ where: { name: { in: DEMO_TYPE_NAMES } }, select: { id: true, name: true } })).map(
          (t) => [t.name, t.id],
        ),
      );
      const typeAgents: Prisma.TicketTypeAgentCreateManyInput[] = [];
      const typeTeams: Prisma.TicketTypeTeamCreateManyInput[] = [];
      const typeAssist: Prisma.TicketTypeAssistTeamCreateManyInput[] = [];
      for (const row of newTypes) {
        const spec = DEMO_TICKET_TYPES.find((t) => t.name === row.name)!;
        for (const e of spec.eligibleAgents ?? []) typeAgents.push({ typeId: row.id, userId: userId(e) });
        for (const n of spec.eligibleTeams ?? []) typeTeams.push({ typeId: row.id, teamId: need(teams, n, 'team') });
        for (const n of spec.assistTeams ?? []) typeAssist.push({ typeId: row.id, teamId: need(teams, n, 'team') });
      }
      if (typeAgents.length > 0) {
        created.ticketTypeAgents = (await tx.ticketTypeAgent.createMany({ data: typeAgents, skipDuplicates: true })).count;
      }
      if (typeTeams.length > 0) {
        created.ticketTypeTeams = (await tx.ticketTypeTeam.createMany({ data: typeTeams, skipDuplicates: true })).count;
      }
      if (typeAssist.length > 0) {
        created.ticketTypeAssistTeams = (
          await tx.ticketTypeAssistTeam.createMany({ data: typeAssist, skipDuplicates: true })
        ).count;
      }

      // ── field templates, by (typeId, key) ──
      const fieldRows: Prisma.TicketFieldCreateManyInput[] = DEMO_TICKET_TYPES.flatMap((t) =>
        t.fields.map((f, position) => ({
          typeId: need(types, t.name, 'ticket type'),
          key: f.key,
          label: f.label,
          description: f.description ?? null,
          kind: f.kind,
          required: f.required ?? false,
          position,
          customerVisible: f.customerVisible ?? true,
          editableAfterSubmit: (f.editableBy?.length ?? 0) > 0,
          editableBy: [...(f.editableBy ?? [])],
          ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: o.label })) } : {}),
          maxLength: f.maxLength ?? null,
        })),
      );
      created.ticketFields = (await tx.ticketField.createMany({ data: fieldRows, skipDuplicates: true })).count;
      const fields: Record<string, Record<string, string>> = {};
      const typeNameById = Object.fromEntries(Object.entries(types).map(([name, id]) => [id, name]));
      for (const f of await tx.ticketField.findMany({
        where: { typeId: { in: Object.values(types) } },
        select: { id: true, typeId: true, key: true },
      })) {
        const typeName = typeNameById[f.typeId]!;
        (fields[typeName] ??= {})[f.key] = f.id;
      }

      // ── SLA policies: priority (and tier) defaults, by (priority, tier) with no type ──
      const existingSla = await tx.slaPolicy.findMany({
        where: { typeId: null },
        select: { id: true, name: true, priority: true, tier: true },
      });
      const slaKey = (p: Priority, tier: CustomerTier | null) => `${p}/${tier ?? '*'}`;
      const slaSeen = new Set(existingSla.map((s) => slaKey(s.priority, s.tier)));
      const missingSla = DEMO_SLA_POLICIES.filter((s) => !slaSeen.has(slaKey(s.priority, s.tier)));
      const newSla =
        missingSla.length > 0
          ? await tx.slaPolicy.createManyAndReturn({
              data: missingSla.map((s) => ({
                name: s.name,
                priority: s.priority,
                tier: s.tier,
                typeId: null,
                firstResponseMinutes: s.firstResponseMinutes,
                resolutionMinutes: s.resolutionMinutes,
              })),
              select: { id: true, name: true, priority: true, tier: true },
            })
          : [];
      created.slaPolicies = newSla.length;
      const slaPolicies: Record<string, string> = {};
      for (const s of [...existingSla, ...newSla]) {
        const spec = DEMO_SLA_POLICIES.find((d) => d.priority === s.priority && d.tier === s.tier);
        if (spec) slaPolicies[spec.name] ??= s.id;
      }

      // ── organisations ──
      const orgNames = DEMO_ORGANIZATIONS.map((o) => o.name);
      created.organizations = (
        await tx.organization.createMany({
          data: DEMO_ORGANIZATIONS.map((o) => ({
            name: o.name,
            tier: o.tier,
            dedicatedAgentId: o.dedicatedAgent ? userId(o.dedicatedAgent) : null,
            notes: o.notes ?? null,
          })),
          skipDuplicates: true,
        })
      ).count;
      const organizations = Object.fromEntries(
        (await tx.organization.findMany({ where: { name: { in: orgNames } }, select: { id: true, name: true } })).map(
          (o) => [o.name, o.id],
        ),
      );

      // ── contacts, by email (not unique in the schema, hence the lock) ──
      const specs = allContacts();
      const contactEmails = specs.map((s) => s.contact.email.toLowerCase());
      const existingContacts = await tx.contact.findMany({
        where: { email: { in: contactEmails } },
        select: { id: true, email: true },
        orderBy: { createdAt: 'asc' },
      });
      const contacts: Record<string, string> = {};
      for (const c of existingContacts) if (c.email) contacts[c.email] ??= c.id;
      const missingContacts = specs.filter((s) => contacts[s.contact.email.toLowerCase()] === undefined);
      if (missingContacts.length > 0) {
        const rows = await tx.contact.createManyAndReturn({
          data: missingContacts.map(({ contact: c, org }) => ({
            name: c.name,
            email: c.email.toLowerCase(),
            phone: c.phone,
            organizationId: org === null ? null : need(organizations, org, 'organization'),
            dedicatedAgentId: c.dedicatedAgent ? userId(c.dedicatedAgent) : null,
            userId: c.login ? userId(c.email) : null,
          })),
          // A login already linked to another contact (an admin re-linked it) is left alone.
          skipDuplicates: true,
          select: { id: true, email: true },
        });
        created.contacts = rows.length;
        for (const c of rows) if (c.email) contacts[c.email] = c.id;
      }

      return { created, users, teams, types, fields, organizations, contacts, slaPolicies };
    },
    { maxWait: 10_000, timeout: 30_000 },
  );

  const durationMs = Math.round(performance.now() - started);
  const total = Object.values(result.created).reduce((a, b) => a + b, 0);
  log(
    total === 0
      ? `demo data already present (${durationMs} ms)`
      : `demo data seeded: ${Object.entries(result.created)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')} (${durationMs} ms)`,
  );
  return { ...result, expected: demoExpectedCounts(), durationMs };
}
