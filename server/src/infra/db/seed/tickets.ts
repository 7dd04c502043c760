// Demo tickets: about forty tickets of the demo company, worked through the real
// lifecycle services (create, route, grab, dispatch, accept, hand over, assist,
// comment, wait, resolve, reopen, close, rate) so that their timelines, offers,
// handovers, assists, notifications, outbox rows and durable jobs are exactly what
// production writes.
//
// Time: the services read an injected Clock. The seed drives its own clock over the
// last ten days: every ticket has a creation time ("minutes before now") and steps a
// few minutes or hours apart; all steps of all tickets run in time order, and the
// durable timers (offer expiry, auto-close) fire at their due time in between, as the
// job runner would have fired them. Everything is relative to `now`, so the outcome
// (statuses, who has what) is the same whenever the seed runs; the last tickets are
// created a few minutes before `now`, so their offers are still open afterwards.
//
// Idempotent: when the database already holds any ticket, nothing happens.
// Robust: a step the services refuse (an admin changed a type's settings before the
// first seed, say) is logged and ends that ticket's script; the ticket stays in the
// valid state the services left it in.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { systemClock, type Clock } from '../../../domain/clock.ts';
import { DomainError } from '../../../domain/errors.ts';
import { API_SCOPES, type Viewer } from '../../../domain/identity/viewer.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../../domain/ticket/lifecycle.ts';
import type { FieldValueInput } from '../../../domain/ticket-type/template.ts';
import { createServices } from '../../../services/index.ts';
import type { TicketService } from '../../../services/tickets/index.ts';
import { JobRunner } from '../../jobs/scheduler.ts';
import { createMemoryBus } from '../../pubsub/memory.ts';
import type { PrismaClient } from '../generated/client.ts';
import type { DemoSeedSummary } from './demo.ts';

// ───────────────────────────────────── the script ─────────────────────────────────────

const HOUR = 60;
const DAY = 24 * HOUR;
const MINUTE_MS = 60_000;

/** Minutes before `now`. */
const ago = (days: number, hours = 0, minutes = 0) => days * DAY + hours * HOUR + minutes;

type Email = `${string}@${string}`;
/**
 * Who performs a step: a demo user by email, or someone found on the ticket when the
 * step runs (auto dispatch and assist teams choose people by load and rotation).
 */
type Who = Email | 'assignee' | 'offered' | 'customer' | 'handler' | 'target';

type TypeName = '技术支持' | '账户问题' | '订单问题' | '产品咨询' | '投诉建议';

/** A field value; `{ user }` is a USER field, `{ daysBefore }` a DATE relative to the ticket's creation. */
type FieldVal = string | number | boolean | string[] | { user: Email } | { daysBefore: number };
type FieldMap = Record<string, FieldVal>;

interface DemoFile {
  name: string;
  type: string;
  size: number;
}

type Step =
  | { kind: 'grab'; by: Who }
  | { kind: 'dispatch'; by: Who; to: Who }
  | { kind: 'accept' }
  | { kind: 'decline'; note: string }
  | { kind: 'comment'; by: Who; body: string; internal: boolean; mention: Who[]; files: DemoFile[] }
  | { kind: 'status'; to: 'PROCESSING' | 'WAITING_CUSTOMER' | 'WAITING_THIRD_PARTY' }
  | { kind: 'handover'; to: Who; reason: string }
  | { kind: 'acceptHandover' }
  | { kind: 'assist'; team: string; note: string }
  | { kind: 'dispatchAssist'; by: Who; to: Who }
  | { kind: 'completeAssist'; reply: string }
  | { kind: 'fields'; by: Who; values: FieldMap }
  | { kind: 'resolve'; resolution: string }
  | { kind: 'reopen'; by: Who; reason: string }
  | { kind: 'close'; by: Who; reason: string }
  | { kind: 'rate'; score: number; comment: string }
  | { kind: 'inviteRating' };

export interface DemoTicketSpec {
  /** Minutes before `now` the ticket is created. */
  at: number;
  /** The creator: a customer in the portal, an agent or manager on behalf of `contact`. */
  by: Email;
  /** Created by an integration (an API token acting as `by`): channel API. */
  api?: boolean;
  type: TypeName;
  title: string;
  description: string;
  priority?: 'URGENT' | 'HIGH' | 'NORMAL' | 'LOW';
  tags: string[];
  fields: FieldMap;
  /** Contact email, for tickets created by internal people. */
  contact?: string;
  channel?: 'WEB' | 'PORTAL' | 'EMAIL' | 'CHAT' | 'PHONE' | 'API' | 'OFFLINE_MESSAGE';
  reply?: 'SMS' | 'EMAIL' | 'IM';
  idempotencyKey?: string;
  /** [minutes after the previous step (or the creation), step]. */
  steps: [number, Step][];
}

// Step builders, so the script reads like what happened.
const grab = (by: Email): Step => ({ kind: 'grab', by });
const dispatch = (by: Email, to: Email): Step => ({ kind: 'dispatch', by, to });
const accept = (): Step => ({ kind: 'accept' });
const decline = (note: string): Step => ({ kind: 'decline', note });
/** A public reply, by the assignee unless said otherwise. */
const reply = (body: string, by: Who = 'assignee'): Step => ({ kind: 'comment', by, body, internal: false, mention: [], files: [] });
/** The customer (the contact's login) writes a public comment. */
const say = (body: string, files: DemoFile[] = []): Step => ({ kind: 'comment', by: 'customer', body, internal: false, mention: [], files });
/** An internal note by the assignee, mentioning colleagues. */
const note = (body: string, mention: Email[] = [], by: Who = 'assignee'): Step => ({ kind: 'comment', by, body, internal: true, mention, files: [] });
const waitCustomer = (): Step => ({ kind: 'status', to: 'WAITING_CUSTOMER' });
const waitThirdParty = (): Step => ({ kind: 'status', to: 'WAITING_THIRD_PARTY' });
const backToWork = (): Step => ({ kind: 'status', to: 'PROCESSING' });
const handover = (to: Email, reason: string): Step => ({ kind: 'handover', to, reason });
const takeHandover = (): Step => ({ kind: 'acceptHandover' });
const assist = (team: string, text: string): Step => ({ kind: 'assist', team, note: text });
const assistTo = (by: Email, to: Email): Step => ({ kind: 'dispatchAssist', by, to });
const assistDone = (text: string): Step => ({ kind: 'completeAssist', reply: text });
const edit = (values: FieldMap, by: Who = 'assignee'): Step => ({ kind: 'fields', by, values });
const resolve = (resolution: string): Step => ({ kind: 'resolve', resolution });
const reopen = (reason: string, by: Who = 'customer'): Step => ({ kind: 'reopen', by, reason });
const close = (by: Email, reason: string): Step => ({ kind: 'close', by, reason });
const rate = (score: number, comment: string): Step => ({ kind: 'rate', score, comment });
const invite = (): Step => ({ kind: 'inviteRating' });

const ADMIN = 'admin@gongdan.dev';
const M1 = 'manager1@gongdan.dev'; // 周建国
const M2 = 'manager2@gongdan.dev'; // 吴婷
const A1 = 'agent1@gongdan.dev'; // 王晓梅
const A2 = 'agent2@gongdan.dev'; // 李俊
const A3 = 'agent3@gongdan.dev'; // 张敏
const A4 = 'agent4@gongdan.dev'; // 刘洋
const A5 = 'agent5@gongdan.dev'; // 陈静
const A6 = 'agent6@gongdan.dev'; // 杨帆
const S1 = 'staff1@gongdan.dev'; // 黄志强
const S2 = 'staff2@gongdan.dev'; // 林晓燕
const S3 = 'staff3@gongdan.dev'; // 何伟
const C = (n: number) => `customer${n}@gongdan.dev` as const;

/**
 * The demo tickets, oldest first. Auto-dispatched types (技术支持, 产品咨询) are routed
 * by the services: most of these customers have an online dedicated agent eligible for
 * the type, so routing is predictable, and the steps act as "the offered agent" or "the
 * assignee" rather than naming them.
 */
export const DEMO_TICKETS: readonly DemoTicketSpec[] = [
  // ── ten to seven days ago: finished, most of them closed by now ──
  {
    at: ago(9, 20),
    by: C(1),
    type: '技术支持',
    title: 'VPN 客户端连接公司内网频繁断开',
    description:
      '从本周一开始，财务部 6 台笔记本通过 VPN 连接公司内网时，每隔 20–40 分钟就会断开一次，重连后又能正常使用一段时间。办公室有线网络没有问题，影响财务系统的月结操作。',
    priority: 'HIGH',
    tags: ['VPN', '网络'],
    fields: { device_model: 'ThinkPad X1 Carbon 2023', os: 'windows', issue_category: 'connection', occurred_at: { daysBefore: 3 } },
    steps: [
      [4, accept()],
      [12, reply('钱先生您好，我是技术支持陈静。为了定位断线原因，麻烦您提供：1) VPN 客户端版本号；2) 最近几次断线的时间点；3) 客户端诊断日志（帮助 → 导出诊断日志）。')],
      [35, say('客户端版本 5.2.1，今天上午 9:40 和 10:15 各断了一次，诊断日志已上传。', [{ name: 'vpn-diagnostic.zip', type: 'application/zip', size: 482_133 }])],
      [20, note('日志里大量 keepalive 超时和 MTU 协商失败，时间点和上周网关升级吻合。@黄志强 麻烦看一下网关侧配置？', [S1])],
      [5, assist('技术支持组', '请协助排查 VPN 网关：客户端日志显示 keepalive 超时、MTU 协商失败，疑似上周网关升级后配置变化。')],
      [90, assistDone('已确认：网关升级后 MTU 被重置为 1500，部分运营商线路分片丢包。已在网关侧调整为 1400 并重启隧道服务，请让客户重新连接验证。')],
      [10, edit({ remote_assist: true })],
      [5, reply('钱先生，网关侧的配置问题已修复，我们也远程确认了两台笔记本的连接。麻烦您让同事重新连接 VPN 观察半天，如再有断线请随时告诉我们。')],
      [240, say('下午用了半天，没有再断线，谢谢！')],
      [20, resolve('问题原因：VPN 网关升级后 MTU 被重置，部分线路分片丢包导致断线。处理：网关 MTU 调整为 1400 并重启隧道服务，客户端无需改动，已与客户确认恢复正常。')],
      [180, rate(5, '响应很快，技术同事定位问题很专业。')],
    ],
  },
  {
    at: ago(9, 15),
    by: C(6),
    type: '订单问题',
    title: '同一笔订单被重复扣款，申请退回',
    description: '昨天晚上下单时页面卡住，我点了两次支付，结果支付宝扣了两次款，每次 1280 元，订单只有一笔。请尽快退回多扣的钱。',
    tags: ['退款', '重复扣款'],
    fields: { order_no: 'SO-7310482', issue_category: 'refund', amount: 1280, refund_reason: '支付页面卡顿，重复支付了一次，多扣 1280 元。' },
    steps: [
      [18, grab(A2)],
      [6, reply('谢女士您好，已收到您的申请。我这边核对到该订单确有两笔支付记录，已提交财务审核，预计 1–3 个工作日原路退回。')],
      [3, assist('财务组', '订单 SO-7310482 支付宝重复扣款 1280 元，请财务审核后原路退回多扣款项。')],
      [50, assistTo(S2, S2)],
      [120, assistDone('已核实重复扣款，1280 元已原路退回支付宝，退款流水号 RF-5521873。')],
      [8, edit({ finance_owner: { user: S2 } })],
      [5, reply('谢女士，多扣的 1280 元已原路退回您的支付宝账户（退款流水号 RF-5521873），一般 1 个工作日内到账，请留意查收。')],
      [15, resolve('重复扣款 1280 元经财务审核后已原路退回支付宝，退款流水号 RF-5521873。')],
      [1440, rate(4, '退款处理得挺顺利，就是到账比预期慢了一天。')],
    ],
  },
  {
    at: ago(9, 2),
    by: C(2),
    type: '产品咨询',
    title: '专业版和企业版在权限管理上有什么区别？',
    description: '我们公司有 6 个分公司，希望各分公司只能看到自己的工单，总部可以看全部。想了解专业版和企业版在权限管理上的区别，以及是否支持单点登录。',
    tags: ['企业版', '选型'],
    fields: { product: 'enterprise', interests: ['features', 'plans'], budget: 80000 },
    steps: [
      [25, reply('冯女士您好，专业版支持按角色分配权限（最多 20 个角色）；企业版在此基础上增加了部门级数据隔离、字段级权限、操作审计日志，并支持 SSO 单点登录。详细对比表已发到您的邮箱。')],
      [60, say('收到对比表了。我们需要分公司之间数据隔离，看来要选企业版。')],
      [15, reply('是的，按您的情况建议选择企业版。如需试用，我可以为您开通 30 天的企业版试用租户。')],
      [30, resolve('已向客户说明专业版与企业版的权限差异并发送对比表，建议企业版，客户已了解。')],
      [200, rate(5, '解答清楚，资料很全。')],
    ],
  },
  {
    at: ago(8, 22),
    by: A4,
    contact: 'yang.qiuyue@boyuan-edu.com',
    channel: 'PHONE',
    reply: 'SMS',
    type: '账户问题',
    title: '教务管理员账号多次输错密码被锁定',
    description: '客户来电（010-62548812）：教务系统管理员账号今早多次输错密码被锁定，影响 3 个校区的排课，希望尽快解锁。',
    priority: 'HIGH',
    tags: ['账号锁定'],
    fields: { account: 'admin@boyuan-edu.com', issue_category: 'login' },
    steps: [
      [10, dispatch(M1, A3)],
      [3, accept()],
      [12, edit({ identity_verified: true })],
      [2, note('已通过座机回拨并核对营业执照信息，确认是客户本人。')],
      [8, reply('杨老师您好，已为管理员账号解除锁定，并向绑定邮箱发送了重置密码链接，请在 30 分钟内完成重置。')],
      [40, resolve('核实身份后解除管理员账号锁定，客户已通过邮件链接重置密码并恢复登录。')],
    ],
  },
  {
    at: ago(8, 12),
    by: C(9),
    type: '投诉建议',
    title: '客服热线连续两天无人接听',
    description: '前天和昨天下午打了好几次客服热线，每次排队超过 20 分钟都没人接，最后自动挂断。我们的订单问题一直没人处理，非常影响工作。',
    tags: ['电话客服', '等待时长'],
    fields: { feedback_type: 'service_complaint', expected_resolution: '希望给个说法，并改进电话客服的排班。' },
    steps: [
      [30, dispatch(M2, A5)],
      [10, reply('邓先生您好，非常抱歉给您带来不便。经查这两天热线因系统迁移出现了排队异常，现已恢复，并增加了午间值班人员。您原先咨询的订单问题也由我继续跟进。')],
      [5, note('已向 @吴婷 反馈热线排队异常，需要在周会上复盘排班。', [M2])],
      [120, resolve('已向客户致歉并说明原因（热线系统迁移导致排队异常），热线已恢复并增加午间值班。')],
      [300, rate(3, '处理结果可以接受，但希望电话客服能真正改进。')],
      [2 * DAY, close(M2, '已电话回访客户，客户认可处理结果，投诉关闭。')],
    ],
  },
  {
    at: ago(8, 6),
    by: ADMIN,
    api: true,
    contact: 'luo.qiang@meijia-home.com',
    idempotencyKey: 'mall-aftersale-SO-7352210',
    type: '订单问题',
    title: '商城售后同步：发票抬头错误需作废重开',
    description: '【商城系统自动同步】订单 SO-7352210 的客户申请更换发票抬头：原抬头“广州美家家居用品”缺少“有限公司”，需作废后按正确抬头重开。',
    tags: ['发票', '商城同步'],
    fields: { order_no: 'SO-7352210', issue_category: 'invoice', amount: 5680 },
    steps: [
      [45, grab(A2)],
      [20, note('需要财务先作废原发票，@林晓燕 麻烦协助一下。', [S2])],
      [180, reply('罗先生您好，原发票已作废，新发票（抬头：广州美家家居用品有限公司）已开具并发送至您的邮箱。')],
      [10, resolve('原发票已作废，按正确抬头重新开具电子发票并发送客户邮箱。')],
    ],
  },
  {
    at: ago(8, 3),
    by: A6,
    contact: 'shen.jiayi@jincheng-logistics.com',
    channel: 'EMAIL',
    type: '技术支持',
    title: '仓储系统调用工单接口频繁超时',
    description: '客户来信：自昨天下午起，锦程 WMS 调用工单开放接口创建工单时约 15% 的请求超时（超过 10 秒），高峰期更明显。请求 ID 样例：req-7f3a21、req-7f3b09。',
    priority: 'HIGH',
    tags: ['接口', '性能'],
    fields: { device_model: '阿里云 ECS c7.xlarge', os: 'linux', issue_category: 'performance', occurred_at: { daysBefore: 1 } },
    steps: [
      [3, accept()],
      [20, note('接口网关日志显示超时请求全部来自客户出口 IP 段，我们服务端耗时正常，怀疑客户侧云厂商 NAT 网关限流。')],
      [10, reply('沈女士您好，我们排查了接口网关日志：超时请求均来自贵司出口 NAT 网关，服务端处理耗时正常，疑似云厂商侧连接数限流。排查报告已发您邮箱，烦请联系云厂商确认 NAT 网关规格。')],
      [5, waitThirdParty()],
      [20 * HOUR, backToWork()],
      [30, reply('云厂商已确认 NAT 网关并发连接数达到上限，贵司已升级规格。我们观察了 2 小时，接口成功率 99.98%，没有再出现超时。')],
      [30, resolve('原因：客户侧云厂商 NAT 网关连接数达到上限导致请求超时。客户升级 NAT 网关规格后恢复，接口成功率 99.98%。')],
    ],
  },
  {
    at: ago(7, 23),
    by: C(7),
    type: '订单问题',
    title: '申请开具上月服务费的增值税专用发票',
    description: '上个月的系统服务费已经付款，需要开具增值税专用发票用于抵扣，开票资料我可以补充。',
    tags: ['发票', '专票'],
    fields: { order_no: 'SO-7298834', issue_category: 'invoice', amount: 2360 },
    steps: [
      [35, grab(A3)],
      [10, reply('唐女士您好，请提供：公司全称、税号、开户行及账号、注册地址和电话，我们收到后 1 个工作日内开具。')],
      [3, waitCustomer()],
      [95, say('开票信息：成都天府餐饮管理有限公司，税号 91510100MA6C8K2X7Q，开户行 成都银行高新支行 1001 3000 0012 3456，地址电话 成都市高新区天府大道 88 号 028-85123456。')],
      [240, reply('专票已开具，电子版已发送到您的邮箱，纸质发票通过顺丰寄出，单号 SF1402378865210。')],
      [5, resolve('增值税专用发票已开具：电子版已发邮箱，纸质票顺丰寄出（SF1402378865210）。')],
    ],
  },
  {
    at: ago(7, 22, 50),
    by: C(7),
    type: '订单问题',
    title: '申请开具上月服务费的增值税专用发票',
    description: '上个月的系统服务费已经付款，需要开具增值税专用发票。（重复提交）',
    tags: ['发票'],
    fields: { order_no: 'SO-7298834', issue_category: 'invoice' },
    steps: [[40, close(M1, '客户重复提交，已在前一张同名工单中处理，此单无需处理。')]],
  },
  // ── about a week ago: resolved, waiting for the customers' confirmation ──
  {
    at: ago(6, 20),
    by: C(3),
    type: '技术支持',
    title: '3 号分拣线扫描枪批量掉线',
    description: '3 号分拣线的 14 把无线扫描枪从今天开始频繁掉线，每次掉线要 1–2 分钟才能重新连上，分拣效率下降了一半，请紧急处理！',
    priority: 'URGENT',
    tags: ['扫描枪', '网络', '硬件'],
    fields: { device_model: '霍尼韦尔 Granit 1991i', os: 'android', issue_category: 'connection', occurred_at: { daysBefore: 0 } },
    steps: [
      // Nobody answers the first offer in time: the timer expires it and routing moves on.
      [14, accept()],
      [6, reply('蒋先生您好，已收到。请确认掉线的扫描枪是否都连接同一个 AP，以及掉线前无线网络是否做过变更？')],
      [15, say('都在 3 号分拣线，连的是同一个 AP。昨晚 IT 刚升级过无线控制器。')],
      [10, note('和无线控制器升级时间吻合。@黄志强 有没有碰到过霍尼韦尔扫描枪和新版控制器的漫游兼容问题？', [S1])],
      [40, reply('蒋先生，初步判断是无线控制器升级后关闭了快速漫游兼容模式。请贵司 IT 在控制器上为扫描枪所在的 SSID 开启“兼容模式”，我们远程协助确认。')],
      [5, edit({ remote_assist: true })],
      [60, say('开启兼容模式后扫描枪全部恢复在线了。')],
      [10, resolve('原因：无线控制器升级后关闭了快速漫游兼容模式，扫描枪频繁掉线。处理：为扫描枪 SSID 开启兼容模式，远程确认 14 把扫描枪全部恢复在线。')],
      [120, rate(5, '紧急情况下响应很及时，点赞！')],
    ],
  },
  {
    at: ago(6, 10),
    by: C(5),
    type: '技术支持',
    title: '打印机驱动在 macOS 14 上无法安装',
    description: '新买的 MacBook Pro 安装 XD-2200 打印机驱动时一直失败，公司其他 Windows 电脑可以正常打印。',
    tags: ['打印机', '驱动', '兼容性'],
    fields: { device_model: 'MacBook Pro 14 (M3)', os: 'macos', issue_category: 'compatibility' },
    steps: [
      [6, accept()],
      [15, reply('曹先生您好，请问安装时提示什么错误？方便的话请截图发给我们。')],
      [2, waitCustomer()],
      [180, say('安装时提示“无法验证开发者”，截图已上传。', [{ name: 'install-error.png', type: 'image/png', size: 248_331 }])],
      [20, reply('这是 macOS 的安全限制：请在“系统设置 → 隐私与安全性”中点击“仍要打开”再运行安装包。另外 XD-2200 需要 3.1.2 及以上版本的驱动才支持 Apple 芯片，下载链接已发您邮箱。')],
      [90, say('按步骤装好了，可以正常打印了。')],
      [10, resolve('原因：旧版驱动不支持 Apple 芯片且被 macOS 安全策略拦截。处理：指导客户放行并安装 3.1.2 版驱动，打印恢复正常。')],
      [60, rate(4, '问题解决了，步骤说明很清楚。')],
    ],
  },
  {
    at: ago(5, 12),
    by: C(4),
    type: '账户问题',
    title: '忘记密码，原手机号已停用收不到验证码',
    description: '我忘记了登录密码，找回密码需要短信验证码，但原来绑定的手机号已经停用了，请帮忙处理。',
    tags: ['密码重置', '手机号变更'],
    fields: { account: '13911027456', issue_category: 'password_reset' },
    steps: [
      [25, dispatch(M1, A3)],
      [5, accept()],
      [10, reply('韩先生您好，为保障账户安全，请提供：1) 账号绑定的邮箱；2) 最近一次登录的大致时间；3) 新的手机号。核实后为您更换绑定并重置密码。')],
      [2, waitCustomer()],
      [60, say('绑定邮箱 hanlei@boyuan-edu.com，昨天下午登录过，新手机号 13911029988。')],
      [15, edit({ identity_verified: true })],
      [10, reply('身份已核实，已将绑定手机更换为 139****9988，并向新手机发送了重置密码短信，请查收。')],
      [20, resolve('核实身份后更换绑定手机号并发送重置密码短信，客户已成功登录。')],
      [30, rate(5, '流程很规范，也很快。')],
    ],
  },
  {
    at: ago(5, 6),
    by: C(3),
    type: '技术支持',
    title: 'PDA 扫码后数据不同步到工单系统',
    description: '上海 3 号分拨中心的 PDA 扫码后，部分扫描记录在工单系统里查不到，司机签收状态也没有更新。',
    priority: 'HIGH',
    tags: ['PDA', '数据同步'],
    fields: { device_model: '优博讯 i6310', os: 'android', issue_category: 'configuration', occurred_at: { daysBefore: 1 } },
    steps: [
      [5, accept()],
      [20, reply('蒋先生您好，请在 PDA 上打开“设置 → 同步”，确认同步间隔是否为“实时”，并检查是否登录了正确的分拨中心账号。')],
      [40, say('同步间隔之前被改成了 30 分钟，已经改回实时，现在正常了。')],
      [10, resolve('PDA 同步间隔被误改为 30 分钟，已改回实时同步，数据恢复正常。')],
      [16 * HOUR, reopen('今天早上又出现同样的问题，同步间隔没有变，但仍有部分扫描记录没上来。')],
      [30, note('复现了：离线缓存超过 500 条后批量上传会丢最后一批，疑似 App 3.4.0 的缺陷。@何伟 请帮忙确认一下服务端批量接口的日志。', [S3])],
      [15, edit({ remote_assist: true })],
      [4 * HOUR, reply('蒋先生，已定位为 PDA App 3.4.0 离线缓存批量上传的缺陷，修复版本 3.4.1 已发布。我们已远程为 3 号分拨中心的 PDA 完成升级，丢失的 126 条记录也已补传。')],
      [10 * HOUR, say('升级后观察了一个班次，没有再丢数据。')],
      [15, resolve('根因：PDA App 3.4.0 离线缓存超过 500 条时批量上传丢失最后一批。处理：升级至 3.4.1 并补传丢失的 126 条记录，观察一个班次无异常。')],
      [120, rate(4, '第一次没有彻底解决，第二次定位得很准，补传数据也很及时。')],
    ],
  },
  {
    at: ago(4, 20),
    by: C(10),
    type: '订单问题',
    title: '年度服务费需要开具增值税专用发票',
    description: '我司已支付年度服务费 19800 元，需要开具增值税专用发票，开票资料与去年一致。',
    tags: ['发票', '专票'],
    fields: { order_no: 'SO-7401127', issue_category: 'invoice', amount: 19800 },
    steps: [
      [50, grab(A3)],
      [10, reply('袁女士您好，已按贵司去年的开票资料提交专票申请，预计 2 个工作日内开具。')],
      [25 * HOUR, reply('专票已开具，纸质发票已通过 EMS 寄出（单号 1189374650231），电子版同步发送到您的邮箱。')],
      [5, resolve('年度服务费增值税专用发票已开具并寄出，EMS 单号 1189374650231。')],
      [5, invite()],
    ],
  },
  {
    at: ago(3, 12),
    by: C(8),
    type: '投诉建议',
    title: '建议增加工单按筛选条件批量导出 Excel',
    description: '每月做服务报表时需要把工单导出来，现在只能一页一页复制，希望能按筛选条件批量导出成 Excel。',
    // The portal's lowest (中): LOW is the service side's triage (domain/ticket/intake.ts).
    priority: 'NORMAL',
    tags: ['功能需求', '导出'],
    fields: { feedback_type: 'feature_request', expected_resolution: '希望下个版本能支持按筛选条件批量导出。' },
    steps: [
      [40, dispatch(M2, A1)],
      [15, reply('许先生您好，感谢您的建议！目前可以在“报表 → 工单明细”按条件导出 CSV，用 Excel 直接打开即可。按筛选条件直接导出 Excel 的需求我已提交产品团队评估。')],
      [20, note('已录入需求池 REQ-2318，@周建国 请在下次需求评审时排期。', [M1])],
      [30, resolve('已告知客户现有的 CSV 导出方式作为替代；批量导出 Excel 的需求已录入需求池 REQ-2318。')],
      [300, rate(4, '临时方案可以用，期待正式功能。')],
    ],
  },
  {
    at: ago(2, 14),
    by: C(4),
    type: '产品咨询',
    title: '智能客服机器人能否对接微信公众号？',
    description: '我们的学员咨询大多来自微信公众号，想了解智能客服机器人能否接入公众号自动回复常见问题。',
    tags: ['机器人', '微信'],
    fields: { product: 'chatbot', interests: ['features', 'usage_advice'] },
    steps: [
      [30, reply('韩先生您好，智能客服机器人支持对接微信公众号、小程序和企业微信，在“渠道管理”中授权公众号即可，知识库可以与现有 FAQ 共用。接入文档已发您邮箱。')],
      [45, say('好的，那机器人答不上来的问题能转人工吗？')],
      [10, reply('可以。机器人识别到无法回答，或者客户输入“人工”时，会自动转接在线客服，并把对话记录一起带过去。')],
      [30, resolve('已说明机器人对接公众号的方式和转人工机制，并发送接入文档。')],
    ],
  },
  {
    at: ago(2, 6),
    by: A2,
    contact: 'luo.qiang@meijia-home.com',
    channel: 'PHONE',
    reply: 'SMS',
    type: '订单问题',
    title: '客户来电要求修改收货地址',
    description: '客户来电：订单 SO-7466015 的收货地址填错了，需要改为广州市天河区珠江新城华夏路 16 号 2208 室。',
    tags: ['改地址'],
    fields: { order_no: 'SO-7466015', issue_category: 'order_change' },
    steps: [
      [2, grab(A2)],
      [20, note('已联系仓库，包裹尚未出库，可以修改。')],
      [10, reply('罗先生您好，订单 SO-7466015 的收货地址已修改为：广州市天河区珠江新城华夏路 16 号 2208 室，预计明天发货。')],
      [5, resolve('订单尚未出库，已按客户来电要求修改收货地址并短信告知。')],
    ],
  },
  {
    at: ago(1, 20),
    by: C(2),
    type: '账户问题',
    title: '申请注销离职员工的子账号',
    description: '我司员工张伟已离职，请注销他的子账号 zhangwei@yunfan-tech.cn。',
    tags: ['子账号', '注销'],
    fields: { account: 'zhangwei@yunfan-tech.cn', issue_category: 'account_closure' },
    steps: [
      [30, dispatch(M2, A1)],
      [4, accept()],
      [15, reply('冯女士您好，子账号注销前，其名下 12 张未关闭的工单需要先转给其他同事，请告诉我接收人的账号。')],
      [2, waitCustomer()],
      [90, say('转给 liuna@yunfan-tech.cn 就可以。')],
      [20, edit({ identity_verified: true })],
      [10, reply('已将 12 张工单转给 liuna@yunfan-tech.cn，子账号 zhangwei@yunfan-tech.cn 已注销。')],
      [5, resolve('离职员工子账号已注销，名下 12 张未关闭工单已转给 liuna@yunfan-tech.cn。')],
      [60, rate(5, '很贴心，还提醒了工单转移的事。')],
    ],
  },
  // ── the last few days: being worked on ──
  {
    at: ago(3, 8),
    by: C(1),
    type: '订单问题',
    title: '对公转账已付款，订单仍显示未到账',
    description: '我司已于前天通过对公账户转账 36800 元支付企业版续费（订单 SO-7480012），但订单一直显示“待付款”。',
    priority: 'HIGH',
    tags: ['对公转账', '到账'],
    fields: { order_no: 'SO-7480012', issue_category: 'payment', amount: 36800 },
    steps: [
      [30, grab(A2)],
      [10, assist('财务组', '客户称已对公转账 36800 元（订单 SO-7480012），系统未匹配到账，请财务核对银行流水。')],
      [40, assistTo(S2, S2)],
      [120, assistDone('银行流水中未找到该笔款项，可能被银行退票，请客户向付款银行查询并提供转账回单。')],
      [15, reply('钱先生您好，财务核对银行流水暂未查到这笔款项，可能被银行退票。请您联系付款银行查询并提供转账回单，我们同步向收款银行发起查询。')],
      [5, waitThirdParty()],
      [10, edit({ finance_owner: { user: S2 } })],
    ],
  },
  {
    at: ago(2, 20),
    by: C(7),
    type: '技术支持',
    title: '收银系统升级后小票打印机不出纸',
    description: '门店收银系统昨晚自动升级到 6.2 版本后，小票打印机就不出纸了，现在只能手写小票。',
    tags: ['打印机', '硬件'],
    fields: { device_model: '商米 T2s', os: 'android', issue_category: 'compatibility', occurred_at: { daysBefore: 1 } },
    steps: [
      [3, decline('正在处理一张紧急工单，无法及时响应。')],
      [4, accept()],
      [15, reply('唐女士您好，请在收银系统“设置 → 外设”中查看打印机状态是否为“已连接”，打印测试页时有没有报错？')],
      [30, say('显示已连接，测试页也打不出来，没有报错。')],
      [20, reply('经确认，收银系统 6.2 版本与该型号打印机的固件存在兼容问题，我们已联系打印机厂商提供新固件，预计 1–2 个工作日，期间请先使用手写小票，给您添麻烦了。')],
      [5, waitThirdParty()],
    ],
  },
  {
    at: ago(2, 3),
    by: C(5),
    type: '技术支持',
    title: 'NAS 映射网络驱动器时提示找不到网络路径',
    description: '办公室新装的 NAS，在 Windows 电脑上映射网络驱动器时提示“找不到网络路径”，手机上可以正常访问。',
    tags: ['NAS', '网络'],
    fields: { device_model: '群晖 DS920+', os: 'windows', issue_category: 'configuration' },
    steps: [
      [7, accept()],
      [15, reply('曹先生您好，请帮忙确认：1) 电脑与 NAS 是否在同一网段；2) 在资源管理器地址栏输入 \\\\NAS 的 IP 能否访问；3) NAS 上是否只开启了 SMB1。')],
      [2, waitCustomer()],
    ],
  },
  {
    at: ago(2, 2),
    by: C(8),
    type: '产品咨询',
    title: '企业版报价及私有化部署方案咨询',
    description: '我们计划明年把客服系统迁移到自建机房，想了解企业版私有化部署的报价、部署要求和实施周期。',
    priority: 'NORMAL',
    tags: ['报价', '私有化部署'],
    fields: { product: 'enterprise', interests: ['pricing', 'upgrade'], budget: 200000 },
    steps: [
      [20, reply('许先生您好，企业版私有化部署包含坐席授权、本地化安装和一年原厂运维，具体报价需根据坐席数和服务器环境评估。方便告知预计坐席数，以及是否已有 K8s 集群吗？')],
      [120, say('预计 300 坐席，有自建 K8s 集群，三台节点。')],
      [15, note('客户预算 20 万左右，300 坐席私有化按标准价超预算，@周建国 能否申请年付折扣？', [M1])],
      [30, reply('收到，我们正在为您申请项目折扣并准备部署方案，预计明天下午前发给您。')],
    ],
  },
  {
    at: ago(1, 18),
    by: C(6),
    type: '订单问题',
    title: '退款申请：收到的餐边柜颜色与描述不符',
    description: '商品页面显示胡桃木色，收到的实物颜色明显偏浅，和家里其他家具不搭，申请退货退款。',
    tags: ['退款', '退货'],
    fields: { order_no: 'SO-7502246', issue_category: 'refund', amount: 459, refund_reason: '页面显示胡桃木色，实物明显偏浅，希望退货退款。' },
    steps: [
      [25, grab(A1)],
      [10, reply('谢女士您好，已收到您的退货退款申请，麻烦上传一张实物照片，我们核实后安排上门取件。')],
      [60, say('照片已上传，颜色差别很明显。', [{ name: 'sideboard-photo.jpg', type: 'image/jpeg', size: 1_834_120 }])],
      [15, assist('财务组', '客户退货退款 459 元（订单 SO-7502246），实物与描述颜色不符，照片已核实，请财务审核退款。')],
      [10, reply('照片已收到，已为您安排明天上门取件，退款申请已提交财务审核，取件后 1–3 个工作日原路退回。')],
    ],
  },
  {
    at: ago(1, 14),
    by: A1,
    contact: C(2),
    channel: 'CHAT',
    reply: 'IM',
    type: '投诉建议',
    title: '建议移动端支持深色模式',
    description: '客户在在线客服中反馈：晚上值班时用手机 App 处理工单，界面太亮，希望移动端支持深色模式。',
    priority: 'LOW',
    tags: ['产品建议', '移动端'],
    fields: { feedback_type: 'product_suggestion' },
    steps: [
      [20, dispatch(M2, A1)],
      [30, note('已整理客户在在线客服中的建议原文，准备提交移动端团队。')],
      [15, reply('冯女士您好，感谢您的建议！深色模式已在移动端团队的规划中，我会跟进排期并第一时间告知您。')],
    ],
  },
  {
    at: ago(1, 8),
    by: C(4),
    type: '产品咨询',
    title: '标准版升级专业版后历史数据如何迁移？',
    description: '我们准备从标准版升级到专业版，担心历史工单、自定义字段和报表在升级后丢失，想了解迁移方式。',
    tags: ['升级', '数据迁移'],
    fields: { product: 'professional', interests: ['upgrade'] },
    steps: [
      [20, reply('韩先生您好，升级在原租户上进行，不需要迁移数据，历史工单和客户资料都会保留。请问您关心的是自定义字段和报表的兼容吗？')],
      [60, say('对，我们有 30 多个自定义字段和 5 张自定义报表，还想了解升级后能否接入企业微信。')],
      [15, handover(A1, '客户同时咨询企业微信集成和报表迁移，王晓梅负责企业客户的升级方案，更熟悉，请接手。')],
      [25, takeHandover()],
      [20, reply('韩先生您好，我是王晓梅，接下来由我跟进您的升级方案。自定义字段和报表会原样保留，企业微信集成在专业版中可直接开通，我整理一份升级清单发给您。')],
    ],
  },
  {
    at: ago(1, 4),
    by: C(10),
    reply: 'SMS',
    type: '账户问题',
    title: '需要修改账号绑定的邮箱',
    description: '原来绑定的邮箱是前任管理员的，他已离职，需要把管理员账号的绑定邮箱改成我的邮箱。',
    tags: ['信息修改'],
    fields: { account: 'yuanfang@hengtong-mach.com', issue_category: 'profile_update' },
    steps: [
      [30, dispatch(M1, A2)],
      [6, accept()],
      [12, reply('袁女士您好，修改管理员绑定邮箱需要核实企业身份，请上传加盖公章的变更申请函（模板已发到您的手机短信链接中）。')],
      [2, waitCustomer()],
    ],
  },
  {
    at: ago(1, 2),
    by: C(1),
    type: '技术支持',
    title: '数据库定时备份任务连续两晚失败',
    description: '私有化部署环境的数据库定时备份任务连续两晚失败，告警邮件只写了“backup job failed”，没有更多信息。',
    priority: 'HIGH',
    tags: ['备份', '数据库'],
    fields: { device_model: '戴尔 PowerEdge R750', os: 'linux', issue_category: 'configuration', occurred_at: { daysBefore: 2 } },
    steps: [
      [8, accept()],
      [20, reply('钱先生您好，请提供备份任务日志（/var/log/gongdan/backup.log 最后 200 行）以及磁盘使用情况（df -h 的输出）。')],
      [90, say('日志显示 “No space left on device”，备份盘用了 98%。')],
      [15, note('备份盘满了，旧备份没有按保留策略清理，怀疑清理脚本的 cron 没生效，准备远程检查。')],
    ],
  },
  {
    at: ago(0, 20),
    by: C(9),
    type: '订单问题',
    title: '订单物流三天没有更新',
    description: '订单 SO-7521903 显示已发货，但物流信息三天没有更新了，请帮忙查一下包裹在哪里。',
    tags: ['物流'],
    fields: { order_no: 'SO-7521903', issue_category: 'order_query' },
    steps: [
      [40, grab(A3)],
      [10, reply('邓先生您好，已联系快递公司查询。为核实收件信息，请提供收货手机号后四位。')],
      [2, waitCustomer()],
    ],
  },
  {
    at: ago(0, 19),
    by: C(3),
    type: '投诉建议',
    title: '对上周分拣线故障的响应速度不满意',
    description: '上周 3 号分拣线扫描枪掉线，从提交工单到第一次回复用了 40 多分钟，期间分拣几乎停摆。作为 VIP 客户，我们希望紧急故障能更快响应。',
    priority: 'URGENT',
    tags: ['投诉', 'VIP'],
    fields: { feedback_type: 'service_complaint', expected_resolution: '希望给出改进措施，并安排专人对接紧急故障。' },
    steps: [
      [15, dispatch(M1, A5)],
      [10, reply('蒋先生您好，非常抱歉给您带来的困扰。我已调取上周故障的处理记录，今天内给您书面的改进措施。')],
      [20, note('客户对首次响应 40 分钟不满意，需要出具书面改进方案，并评估 VIP 紧急故障专线。')],
      [30, handover(A1, '我明天开始休假三天，这张投诉需要持续回访，请晓梅接手，处理记录都在内部备注里。')],
    ],
  },
  {
    at: ago(0, 12),
    by: C(10),
    type: '技术支持',
    title: '工控机网卡驱动更新后无法联网',
    description: '产线一台工控机今早自动更新网卡驱动后无法联网，MES 客户端离线，产线已停工，请紧急处理！',
    priority: 'URGENT',
    tags: ['网卡', '驱动'],
    fields: { device_model: '研华 IPC-610', os: 'windows', issue_category: 'connection', occurred_at: { daysBefore: 0 } },
    steps: [
      [5, accept()],
      [8, reply('袁女士您好，请先在设备管理器中把网卡驱动回滚到上一版本，看能否恢复联网？我们同时准备远程协助。')],
      [25, say('回滚后可以联网了，但产线另外 8 台工控机也推送了这个驱动更新。')],
      [10, edit({ remote_assist: true })],
      [5, note('需要在客户的 WSUS 上拦截这个驱动更新，已和客户约好稍后远程处理另外 8 台。')],
    ],
  },
  {
    at: ago(0, 9),
    by: C(9),
    reply: 'SMS',
    type: '账户问题',
    title: '收到异地登录提醒，怀疑账号被盗',
    description: '刚才收到短信提醒，说我的账号在境外登录，但我本人一直在武汉，怀疑账号被盗，请马上处理！',
    priority: 'URGENT',
    tags: ['账户安全', '异地登录'],
    fields: { account: 'denghr@changjiang-print.com', issue_category: 'security' },
    steps: [
      [10, dispatch(M1, A5)],
      [3, accept()],
      [7, reply('邓先生您好，已为您的账号强制下线所有会话并临时冻结登录，请稍后通过短信验证码重置密码。我们正在核查登录来源。')],
      [10, assist('技术支持组', '请协助核查账号 denghr@changjiang-print.com 近 24 小时的登录日志和来源 IP，客户收到境外登录提醒。')],
    ],
  },
  {
    at: ago(0, 7),
    by: C(7),
    type: '订单问题',
    title: '申请开具电子普通发票',
    description: '本月的短信套餐包已付款，请开具电子普通发票，抬头：成都天府餐饮管理有限公司。',
    priority: 'NORMAL',
    tags: ['发票'],
    fields: { order_no: 'SO-7540126', issue_category: 'invoice', amount: 268 },
    steps: [],
  },
  {
    at: ago(0, 6),
    by: C(5),
    type: '订单问题',
    title: '支付成功但订单显示未付款',
    description: '用微信支付了 3999 元，手机上显示支付成功，但订单状态一直是“待付款”。',
    priority: 'HIGH',
    tags: ['支付', '掉单'],
    fields: { order_no: 'SO-7538820', issue_category: 'payment', amount: 3999 },
    steps: [
      [12, grab(A2)],
      [8, reply('曹先生您好，请提供支付凭证截图或微信支付交易单号，我们马上核对。')],
      [20, say('微信支付交易单号 4200002173019920455126。')],
      [10, note('支付回调疑似丢失，@林晓燕 帮忙在商户平台查一下这笔是否到账。', [S2])],
    ],
  },
  {
    at: ago(0, 5),
    by: ADMIN,
    api: true,
    contact: 'peng.li@xinda-elec.com',
    idempotencyKey: 'mall-exception-SO-7541877',
    type: '订单问题',
    title: '商城订单异常：库存扣减失败导致超卖',
    description: '【商城系统自动同步】订单 SO-7541877 支付成功后库存扣减失败，对应商品已超卖 3 件，需人工联系客户确认换货或退款。',
    priority: 'HIGH',
    tags: ['商城同步', '超卖'],
    fields: { order_no: 'SO-7541877', issue_category: 'order_query', amount: 1797 },
    steps: [],
  },
  {
    at: ago(0, 4, 30),
    by: A4,
    contact: 'lv.siqi@example.cn',
    channel: 'OFFLINE_MESSAGE',
    reply: 'SMS',
    type: '投诉建议',
    title: '留言：售后回访电话过于频繁',
    description: '客户在官网留言：一周内接到 4 次售后回访电话，有两次是在午休时间，希望减少回访频率或改为短信回访。',
    priority: 'NORMAL',
    tags: ['回访', '体验'],
    fields: { feedback_type: 'experience' },
    steps: [],
  },
  {
    at: ago(0, 3),
    by: A3,
    contact: 'guo.jingyi@huarui-med.com',
    channel: 'EMAIL',
    type: '订单问题',
    title: '订单修改：增加两台设备的授权数量',
    description: '客户来信：订单 SO-7542210 原购买 10 个终端授权，现需增加 2 个，请按差价补款后修改订单。',
    tags: ['订单修改', '授权'],
    fields: { order_no: 'SO-7542210', issue_category: 'order_change', amount: 2400 },
    steps: [],
  },
  {
    at: ago(0, 2),
    by: C(6),
    reply: 'IM',
    type: '账户问题',
    title: '登录时一直提示验证码错误',
    description: '今天登录时输入短信验证码，一直提示“验证码错误”，已经重新获取了三次。',
    tags: ['登录'],
    fields: { account: '13622281907', issue_category: 'login' },
    steps: [],
  },
  {
    at: ago(0, 1, 30),
    by: C(8),
    type: '订单问题',
    title: '退款进度查询：申请已超过 5 个工作日',
    description: '上周提交的退款申请已经超过 5 个工作日，还没有收到退款，也没有人联系我。',
    priority: 'HIGH',
    tags: ['退款', '催办'],
    fields: { order_no: 'SO-7489930', issue_category: 'refund', amount: 860 },
    steps: [[20, say('补充：退款申请编号 RF-60213，退款原因是重复购买。')]],
  },
  // ── the last half hour: offers still waiting for the agents ──
  {
    at: ago(0, 0, 25),
    by: C(1),
    type: '账户问题',
    title: '企业微信扫码登录提示“用户未授权”',
    description: '今天早上开始，财务部同事用企业微信扫码登录工单系统时提示“用户未授权”，账号密码登录正常。',
    priority: 'URGENT',
    tags: ['企业微信', '扫码登录'],
    fields: { account: 'qianzy@yunfan-tech.cn', issue_category: 'login' },
    steps: [[20, dispatch(M1, A1)]],
  },
  {
    at: ago(0, 0, 18),
    by: A1,
    contact: 'chu.jianhua@yunfan-tech.cn',
    channel: 'PHONE',
    type: '账户问题',
    title: '新员工账号开通后无法登录',
    description: '客户来电：新入职员工李晓峰的账号 lixiaofeng@yunfan-tech.cn 昨天开通，登录时提示“账号未激活”，激活邮件没有收到。',
    tags: ['登录', '账号激活'],
    fields: { account: 'lixiaofeng@yunfan-tech.cn', issue_category: 'login' },
    steps: [[15, dispatch(M2, A3)]],
  },
  {
    at: ago(0, 0, 2),
    by: C(3),
    type: '技术支持',
    title: '分拨中心大屏数据刷新延迟约 5 分钟',
    description: '上海分拨中心的数据大屏从今天下午开始刷新延迟约 5 分钟，调度员无法及时看到到车情况。',
    priority: 'HIGH',
    tags: ['大屏', '性能'],
    fields: { device_model: '海康威视 DS-D5055', os: 'linux', issue_category: 'performance', occurred_at: { daysBefore: 0 } },
    steps: [],
  },
];

// ─────────────────────────────────────── result ───────────────────────────────────────

export interface DemoTicketCounts {
  tickets: number;
  timelineEvents: number;
  comments: number;
  attachments: number;
  assignmentOffers: number;
  handoverRequests: number;
  assistRequests: number;
  ratings: number;
  notifications: number;
  outboxMessages: number;
  scheduledJobs: number;
}

export interface DemoTicketsSummary {
  /** Rows inserted by this run (all zero when tickets already existed). */
  created: DemoTicketCounts;
  /** Demo tickets by status after this run. */
  byStatus: Record<TicketStatus, number>;
  /** Steps the services refused (logged); 0 on a database with the demo settings. */
  skippedSteps: number;
  durationMs: number;
}

const COUNTED: Record<keyof DemoTicketCounts, string> = {
  tickets: 'Ticket',
  timelineEvents: 'TimelineEvent',
  comments: 'Comment',
  attachments: 'Attachment',
  assignmentOffers: 'AssignmentOffer',
  handoverRequests: 'HandoverRequest',
  assistRequests: 'AssistRequest',
  ratings: 'Rating',
  notifications: 'Notification',
  outboxMessages: 'OutboxMessage',
  scheduledJobs: 'ScheduledJob',
};

async function countRows(prisma: PrismaClient): Promise<DemoTicketCounts> {
  const sql = Object.entries(COUNTED)
    .map(([key, table]) => `(SELECT count(*)::int FROM "${table}") AS "${key}"`)
    .join(', ');
  const [row] = await prisma.$queryRawUnsafe<DemoTicketCounts[]>(`SELECT ${sql}`);
  return row!;
}

const zeroByStatus = () => Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;

// ───────────────────────────────────── execution ─────────────────────────────────────

/** The seed's own clock: set to each step's time, never backwards. */
class SeedClock implements Clock {
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  set(t: number): void {
    if (t < this.t) throw new Error(`demo ticket seed: clock would go back from ${new Date(this.t).toISOString()} to ${new Date(t).toISOString()}`);
    this.t = t;
  }
}

/** The script did not fit what the database holds (a step's actor cannot be found). */
class ScriptMismatch extends Error {}

interface PlannedStep {
  at: number;
  ticket: number;
  /** -1 = creation. */
  step: number;
}

/**
 * Every creation and step with its time (ms), in the order they run. Throws when a
 * ticket's script would reach past `now`: the outcome must not depend on the time of day.
 */
export function planDemoTickets(nowMs: number, tickets: readonly DemoTicketSpec[] = DEMO_TICKETS): PlannedStep[] {
  const plan: PlannedStep[] = [];
  tickets.forEach((t, ticket) => {
    let at = nowMs - t.at * MINUTE_MS;
    plan.push({ at, ticket, step: -1 });
    t.steps.forEach(([after], step) => {
      if (!(after > 0)) throw new Error(`demo ticket "${t.title}": step ${step} must come after the previous one`);
      at += after * MINUTE_MS;
      plan.push({ at, ticket, step });
    });
    if (at > nowMs - 30_000) throw new Error(`demo ticket "${t.title}": its last step would be after now`);
  });
  return plan.sort((a, b) => a.at - b.at || a.ticket - b.ticket || a.step - b.step);
}

interface TemplateField {
  key: string;
  kind: string;
  required: boolean;
  customerVisible: boolean;
  options: unknown;
}

/** YYYY-MM-DD in China Standard Time (the demo company's time zone), `days` before `at`. */
function chinaDate(at: number, days: number): string {
  return new Date(at + 8 * 3600_000 - days * DAY * MINUTE_MS).toISOString().slice(0, 10);
}

/**
 * Seeds the demo tickets through the ticket services. Does nothing when any ticket
 * exists. `clock` says what "now" is (default: the system clock).
 */
export async function seedDemoTickets(
  prisma: PrismaClient,
  master: DemoSeedSummary,
  opts: { log?: (msg: string) => void; clock?: Clock } = {},
): Promise<DemoTicketsSummary> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const done = (created: DemoTicketCounts, byStatus: Record<TicketStatus, number>, skippedSteps: number): DemoTicketsSummary => ({
    created,
    byStatus,
    skippedSteps,
    durationMs: Math.round(performance.now() - started),
  });

  if ((await prisma.ticket.count()) > 0) {
    const summary = done(
      Object.fromEntries(Object.keys(COUNTED).map((k) => [k, 0])) as unknown as DemoTicketCounts,
      zeroByStatus(),
      0,
    );
    log(`demo tickets skipped: the database already has tickets (${summary.durationMs} ms)`);
    return summary;
  }
  const before = await countRows(prisma);

  const nowMs = (opts.clock ?? systemClock).now().getTime();
  const plan = planDemoTickets(nowMs);
  const clock = new SeedClock(plan[0]!.at);
  const tickets: TicketService = createServices({ prisma, clock, bus: createMemoryBus(), sessionTtlMs: 14 * DAY * MINUTE_MS }).tickets;

  // The durable timers, fired as the job runner would have fired them.
  const jobErrors: string[] = [];
  const runner = new JobRunner(tickets.deps, tickets.jobHandlers(), {
    batch: 50,
    logger: pino({ level: 'error' }, { write: (line: string) => void jobErrors.push(line) }),
  });
  // When the next pending timer is due (null: none). Refreshed after steps that may
  // schedule one; steps that cancel one leave it early, which only costs a look.
  let nextJobAt: number | null = null;
  const refreshNextJob = async () => {
    const next = await prisma.scheduledJob.findFirst({ where: { status: 'PENDING' }, orderBy: { runAt: 'asc' }, select: { runAt: true } });
    nextJobAt = next?.runAt.getTime() ?? null;
  };
  const runJobsUntil = async (t: number) => {
    while (nextJobAt !== null && nextJobAt <= t) {
      const due: number = nextJobAt;
      clock.set(Math.max(clock.now().getTime(), due));
      const handled = await runner.runDue();
      if (jobErrors.length) throw new Error(`demo ticket seed: a timer failed: ${jobErrors.join('\n')}`);
      await refreshNextJob();
      // Claimed meanwhile by another instance's runner: that one will finish it.
      if (handled === 0 && nextJobAt === due) break;
    }
  };
  /** Steps after which a new timer may be pending (offers, auto-close). */
  const SCHEDULES = new Set<Step['kind'] | 'create'>(['create', 'dispatch', 'decline', 'resolve']);

  // People and templates, from the database.
  const users = await prisma.user.findMany({
    where: { id: { in: Object.values(master.users) } },
    select: { id: true, role: true, name: true, email: true },
  });
  const userById = new Map(users.map((u) => [u.id, u]));
  const viewerOf = (userId: string, api = false): Viewer => {
    const u = userById.get(userId);
    if (!u) throw new ScriptMismatch(`unknown user ${userId}`);
    return {
      userId: u.id,
      role: u.role,
      name: u.name,
      email: u.email,
      via: api ? 'apiToken' : 'session',
      credentialId: randomUUID(),
      scopes: new Set(api ? (['tickets:read', 'tickets:write'] as const) : API_SCOPES),
    };
  };
  const userId = (email: string) => {
    const id = master.users[email.toLowerCase()];
    if (!id) throw new ScriptMismatch(`unknown demo user ${email}`);
    return id;
  };
  const templates = new Map<string, TemplateField[]>();
  for (const f of await prisma.ticketField.findMany({
    where: { typeId: { in: Object.values(master.types) }, archived: false },
    select: { typeId: true, key: true, kind: true, required: true, customerVisible: true, options: true },
    orderBy: { position: 'asc' },
  })) {
    templates.set(f.typeId, [...(templates.get(f.typeId) ?? []), f]);
  }

  /**
   * The script's values as the type's current template accepts them: fields the
   * template no longer has (or the audience cannot see) are left out, and on creation
   * required fields the script does not fill get a plain value.
   */
  const fieldInputs = (typeId: string, values: FieldMap, at: number, customer: boolean, creating: boolean): FieldValueInput[] => {
    const out: FieldValueInput[] = [];
    for (const f of templates.get(typeId) ?? []) {
      if (customer && !f.customerVisible) continue;
      const v = values[f.key];
      if (v !== undefined) {
        if (typeof v === 'object' && !Array.isArray(v)) {
          out.push({ key: f.key, value: 'user' in v ? userId(v.user) : chinaDate(at, v.daysBefore) });
        } else {
          out.push({ key: f.key, value: v });
        }
      } else if (creating && f.required) {
        const first = (f.options as { value: string }[] | null)?.[0]?.value;
        const fallback: Record<string, unknown> = {
          TEXT: '（未填写）',
          LONG_TEXT: '（未填写）',
          ORDER_REF: 'SO-0000000',
          NUMBER: 0,
          DATE: chinaDate(at, 0),
          SINGLE_SELECT: first,
          MULTI_SELECT: first ? [first] : undefined,
          CHECKBOX: false,
        };
        if (fallback[f.kind] !== undefined) out.push({ key: f.key, value: fallback[f.kind] });
      }
    }
    return out;
  };

  const ticketIds: (string | null)[] = DEMO_TICKETS.map(() => null);
  const abandoned = new Set<number>();
  let skippedSteps = 0;

  /** What the dynamic actors of a step refer to, read when the step runs. */
  const facts = (ticketId: string) =>
    prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: {
        typeId: true,
        assigneeId: true,
        creatorId: true,
        creator: { select: { role: true } },
        contact: { select: { userId: true } },
        offers: { where: { status: 'PENDING' }, orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, agentId: true } },
        handovers: { where: { status: 'PENDING' }, orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, toId: true } },
        assists: {
          where: { status: { in: ['OPEN', 'POOLED'] } },
          orderBy: { createdAt: 'desc' },
          take: 1,
          select: { id: true, handlerId: true, status: true },
        },
      },
    });
  type Facts = Awaited<ReturnType<typeof facts>>;
  const resolveWho = (who: Who, f: Facts): string => {
    const found = (id: string | null | undefined, what: string) => {
      if (!id) throw new ScriptMismatch(`the ticket has no ${what}`);
      return id;
    };
    switch (who) {
      case 'assignee':
        return found(f.assigneeId, 'assignee');
      case 'offered':
        return found(f.offers[0]?.agentId, 'pending offer');
      case 'customer':
        return found(f.contact?.userId ?? (f.creator.role === 'CUSTOMER' ? f.creatorId : null), 'customer login');
      case 'handler':
        return found(f.assists[0]?.handlerId, 'open assist');
      case 'target':
        return found(f.handovers[0]?.toId, 'pending handover');
      default:
        return userId(who);
    }
  };

  const create = async (spec: DemoTicketSpec, at: number): Promise<string> => {
    const creator = viewerOf(userId(spec.by), spec.api);
    const typeId = master.types[spec.type];
    if (!typeId) throw new ScriptMismatch(`unknown ticket type ${spec.type}`);
    const contactId = spec.contact ? master.contacts[spec.contact.toLowerCase()] : undefined;
    if (spec.contact && !contactId) throw new ScriptMismatch(`unknown contact ${spec.contact}`);
    const { ticketId } = await tickets.create(creator, {
      typeId,
      title: spec.title,
      description: spec.description,
      priority: spec.priority ?? null,
      tags: spec.tags,
      fieldValues: fieldInputs(typeId, spec.fields, at, creator.role === 'CUSTOMER', true),
      contactId: contactId ?? null,
      channel: spec.channel ?? null,
      replyMethod: spec.reply ?? null,
      idempotencyKey: spec.idempotencyKey ?? null,
    });
    return ticketId;
  };

  const perform = async (ticketId: string, spec: DemoTicketSpec, s: Step, at: number): Promise<void> => {
    const f = await facts(ticketId);
    const as = (who: Who) => viewerOf(resolveWho(who, f));
    switch (s.kind) {
      case 'grab':
        await tickets.grab(as(s.by), ticketId);
        return;
      case 'dispatch':
        await tickets.dispatch(as(s.by), { ticketId, agentId: resolveWho(s.to, f) });
        return;
      case 'accept':
        await tickets.acceptOffer(as('offered'), f.offers[0]!.id);
        return;
      case 'decline':
        await tickets.declineOffer(as('offered'), f.offers[0]!.id, s.note);
        return;
      case 'comment': {
        const author = as(s.by);
        const attachmentIds: string[] = [];
        for (const file of s.files) {
          const a = await tickets.addAttachment(author, {
            ticketId,
            fileName: file.name,
            contentType: file.type,
            size: file.size,
          });
          attachmentIds.push(a.id);
        }
        await tickets.addComment(author, {
          ticketId,
          body: s.body,
          visibility: s.internal ? 'INTERNAL' : 'PUBLIC',
          mentionUserIds: s.mention.map((m) => resolveWho(m, f)),
          attachmentIds,
        });
        return;
      }
      case 'status':
        await tickets.setStatus(as('assignee'), { ticketId, status: s.to });
        return;
      case 'handover':
        await tickets.requestHandover(as('assignee'), { ticketId, toUserId: resolveWho(s.to, f), reason: s.reason });
        return;
      case 'acceptHandover':
        await tickets.acceptHandover(as('target'), f.handovers[0]!.id);
        return;
      case 'assist': {
        const teamId = master.teams[s.team];
        if (!teamId) throw new ScriptMismatch(`unknown team ${s.team}`);
        await tickets.requestAssist(as('assignee'), { ticketId, toTeamId: teamId, note: s.note });
        return;
      }
      case 'dispatchAssist': {
        const pooled = f.assists[0];
        if (pooled?.status !== 'POOLED') throw new ScriptMismatch('the ticket has no pooled assist');
        await tickets.dispatchAssist(as(s.by), { assistId: pooled.id, toUserId: resolveWho(s.to, f) });
        return;
      }
      case 'completeAssist':
        await tickets.completeAssist(as('handler'), { assistId: f.assists[0]!.id, reply: s.reply });
        return;
      case 'fields': {
        const editor = as(s.by);
        const values = fieldInputs(f.typeId, s.values, at, editor.role === 'CUSTOMER', false);
        if (values.length) await tickets.updateFields(editor, { ticketId, values });
        return;
      }
      case 'resolve':
        await tickets.resolve(as('assignee'), { ticketId, resolution: s.resolution });
        return;
      case 'reopen':
        await tickets.reopen(as(s.by), { ticketId, reason: s.reason });
        return;
      case 'close':
        await tickets.close(as(s.by), { ticketId, reason: s.reason });
        return;
      case 'rate':
        await tickets.rate(as('customer'), { ticketId, score: s.score, comment: s.comment });
        return;
      case 'inviteRating':
        await tickets.inviteRating(as('assignee'), { ticketId });
        return;
      default: {
        const never: never = s;
        throw new Error(`demo ticket "${spec.title}": unknown step ${JSON.stringify(never)}`);
      }
    }
  };

  for (const p of plan) {
    if (abandoned.has(p.ticket)) {
      skippedSteps++;
      continue;
    }
    await runJobsUntil(p.at);
    clock.set(p.at);
    const spec = DEMO_TICKETS[p.ticket]!;
    const step = p.step === -1 ? null : spec.steps[p.step]![1];
    try {
      if (step === null) ticketIds[p.ticket] = await create(spec, p.at);
      else await perform(ticketIds[p.ticket]!, spec, step, p.at);
      if (SCHEDULES.has(step?.kind ?? 'create')) await refreshNextJob();
    } catch (e) {
      // Refused by the services (or the actor is missing): leave the ticket where it is.
      if (!(e instanceof DomainError) && !(e instanceof ScriptMismatch)) throw e;
      abandoned.add(p.ticket);
      skippedSteps++;
      const what = step?.kind ?? 'create';
      log(`demo ticket "${spec.title}": ${what} refused (${e.message}); its remaining steps are skipped`);
    }
  }
  // Timers due by now have fired; later ones (open offers, auto-close) stay scheduled.
  await refreshNextJob();
  await runJobsUntil(nowMs);

  const after = await countRows(prisma);
  const created = Object.fromEntries(
    (Object.keys(COUNTED) as (keyof DemoTicketCounts)[]).map((k) => [k, after[k] - before[k]]),
  ) as unknown as DemoTicketCounts;
  const byStatus = zeroByStatus();
  for (const g of await prisma.ticket.groupBy({ by: ['status'], _count: { _all: true } })) byStatus[g.status] = g._count._all;

  const summary = done(created, byStatus, skippedSteps);
  log(
    `demo tickets seeded: ${created.tickets} tickets (${TICKET_STATUSES.map((s) => `${s} ${byStatus[s]}`).join(', ')}), ` +
      `${created.timelineEvents} timeline events${skippedSteps ? `, ${skippedSteps} steps skipped` : ''} (${summary.durationMs} ms)`,
  );
  return summary;
}
