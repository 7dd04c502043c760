// Small enums shared by several types.
import { builder } from '../builder.ts';

export const PriorityEnum = builder.enumType('Priority', {
  description: 'Ticket priority; SLA targets depend on it.',
  values: {
    URGENT: { description: '紧急: respond within 15 minutes (default SLA).' },
    HIGH: { description: '高: respond within 2 hours.' },
    NORMAL: { description: '中: respond within 24 hours.' },
    LOW: { description: '低: respond within 3 days.' },
  },
});

export const AssignmentModeEnum = builder.enumType('AssignmentMode', {
  description: 'How tickets of a type find their assignee; a type may combine several.',
  values: {
    AUTO: { description: '自动派单: rules pick an agent on creation.' },
    MANAGER: { description: '管理员派单: a manager dispatches from the pool.' },
    GRAB: { description: '客服主动抢单: eligible agents grab from the pool.' },
  },
});

export const CustomerTierEnum = builder.enumType('CustomerTier', {
  description: 'Service level of a customer organisation.',
  values: { VIP: { description: 'Served first, by senior agents.' }, NORMAL: {} },
});
