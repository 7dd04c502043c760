// The template editor as a component: reorder and add in the draft, save the whole
// template with the version it was read at, show server field errors on the row that
// caused them, and hand a StaleWrite to the parent to reload.
import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import type { SettingsTicketFieldFragment, SettingsTicketTypeFragment } from '../../graphql/generated/graphql.ts';
import { i18n } from '../../i18n/index.ts';
import TemplateEditor from './TemplateEditor.vue';

const mutate = vi.fn();
vi.mock('@vue/apollo-composable', () => ({ useMutation: () => ({ mutate, loading: ref(false) }) }));

const field = (key: string, position: number, label: string): SettingsTicketFieldFragment => ({
  id: `id-${key}`,
  key,
  label,
  description: null,
  kind: 'TEXT',
  required: false,
  position,
  customerVisible: true,
  editableAfterSubmit: false,
  editableBy: [],
  maxLength: null,
  archived: false,
  options: [],
});

const type: SettingsTicketTypeFragment = {
  id: 'type-1',
  name: '订单问题',
  description: null,
  active: true,
  defaultPriority: 'NORMAL',
  autoCloseAfterSeconds: null,
  version: 3,
  updatedAt: '2026-01-01T00:00:00.000Z',
  assignmentModes: ['GRAB'],
  acceptAfterAutoDispatch: false,
  acceptAfterManagerDispatch: false,
  acceptTimeoutSeconds: 900,
  eligibleAgents: [],
  eligibleTeams: [],
  assistTeams: [],
  fields: [field('order_no', 0, '订单号'), field('amount', 1, '金额'), field('note', 2, '备注')],
};

function mountEditor() {
  return mount(TemplateEditor, { props: { type }, global: { plugins: [i18n, ElementPlus] }, attachTo: document.body });
}
const rowKeys = (w: ReturnType<typeof mountEditor>) => w.findAll('[data-test="field-row"]').map((r) => r.attributes('data-key'));

describe('TemplateEditor', () => {
  beforeEach(() => {
    mutate.mockReset();
    i18n.global.locale.value = 'zh-CN';
  });

  it('saves the reordered template with the version it was read at', async () => {
    const w = mountEditor();
    await flushPromises();
    expect(rowKeys(w)).toEqual(['order_no', 'amount', 'note']);
    expect(w.find('[data-test="template-save"]').attributes('disabled')).toBeDefined();

    await w.findAll('[data-test="field-up"]')[2]!.trigger('click');
    expect(rowKeys(w)).toEqual(['order_no', 'note', 'amount']);
    expect(w.emitted('dirty')!.at(-1)).toEqual([true]);

    mutate.mockResolvedValue({ data: { setTicketTypeFields: { __typename: 'TicketTypePayload', ticketType: type } } });
    await w.find('[data-test="template-save"]').trigger('click');
    await flushPromises();
    const input = mutate.mock.calls[0]![0].input;
    expect(input.typeId).toBe('type-1');
    expect(input.expectedVersion).toBe(3);
    expect(input.fields.map((f: { key: string }) => f.key)).toEqual(['order_no', 'note', 'amount']);
    w.unmount();
  });

  it('shows server field errors on the row that was submitted at that index', async () => {
    const w = mountEditor();
    await flushPromises();
    await w.findAll('[data-test="field-down"]')[0]!.trigger('click'); // amount, order_no, note
    mutate.mockResolvedValue({
      data: {
        setTicketTypeFields: {
          __typename: 'ValidationFailed',
          code: 'VALIDATION_FAILED',
          message: 'invalid',
          fieldErrors: [{ field: 'fields.1.label', message: 'is required, at most 60 characters' }],
        },
      },
    });
    await w.find('[data-test="template-save"]').trigger('click');
    await flushPromises();
    const rows = w.findAll('tr.el-table__row');
    expect(rows.map((r) => r.classes().includes('row-error'))).toEqual([false, true, false]);
    expect(rows[1]!.text()).toContain('order_no');
    expect(rows[1]!.text()).toContain('字段名称：必填，最多 60 个字符');
    w.unmount();
  });

  it('asks the parent to reload on StaleWrite', async () => {
    const w = mountEditor();
    await flushPromises();
    await w.find('[data-test="field-remove"]').trigger('click');
    expect(rowKeys(w)).toEqual(['amount', 'note']);
    expect(w.text()).toContain('已移除的字段（1）');
    mutate.mockResolvedValue({ data: { setTicketTypeFields: { __typename: 'StaleWrite', code: 'STALE_WRITE', message: 'stale', currentVersion: 4 } } });
    await w.find('[data-test="template-save"]').trigger('click');
    await flushPromises();
    expect(w.emitted('stale')).toHaveLength(1);

    // The reloaded version replaces the draft.
    await w.setProps({ type: { ...type, version: 4 } });
    expect(rowKeys(w)).toEqual(['order_no', 'amount', 'note']);
    w.unmount();
  });
});
