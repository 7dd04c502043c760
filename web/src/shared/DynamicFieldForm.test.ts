import { mount } from '@vue/test-utils';
import ElementPlus, { ElForm } from 'element-plus';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { createI18n } from 'vue-i18n';
import en from '../i18n/en.ts';
import zhCN from '../i18n/zh-CN.ts';
import DynamicFieldForm from './DynamicFieldForm.vue';
import { changedKeys, displayValue, initialValues, splitFieldErrors, toFieldValueInputs, type FieldDef, type FieldValues } from './dynamic-fields.ts';

const FIELDS: FieldDef[] = [
  { key: 'device', label: '设备型号', kind: 'TEXT', required: true, maxLength: 64, description: '例如：ThinkPad X1' },
  { key: 'details', label: '详情', kind: 'LONG_TEXT', required: false, maxLength: 2000 },
  { key: 'amount', label: '金额', kind: 'NUMBER', required: false },
  { key: 'when', label: '发生时间', kind: 'DATE', required: false },
  { key: 'os', label: '操作系统', kind: 'SINGLE_SELECT', required: true, options: [{ value: 'linux', label: 'Linux' }, { value: 'macos', label: 'macOS' }] },
  { key: 'interests', label: '关注点', kind: 'MULTI_SELECT', required: false, options: [{ value: 'plans', label: '套餐' }, { value: 'pricing', label: '价格' }] },
  { key: 'remote', label: '远程协助', kind: 'CHECKBOX', required: false },
  { key: 'owner', label: '负责财务', kind: 'USER', required: false },
  { key: 'order_no', label: '订单号', kind: 'ORDER_REF', required: true, maxLength: 32 },
];

function setup(props: Record<string, unknown> = {}, locale: 'zh-CN' | 'en' = 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } });
  const values = ref<FieldValues>(initialValues(FIELDS));
  const Host = defineComponent({
    setup: () => () =>
      h(ElForm, { labelPosition: 'top' }, () =>
        h(DynamicFieldForm, { fields: FIELDS, modelValue: values.value, 'onUpdate:modelValue': (v: FieldValues) => (values.value = v), ...props }),
      ),
  });
  const wrapper = mount(Host, { global: { plugins: [ElementPlus, i18n] }, attachTo: document.body });
  return { wrapper, values };
}

const wrap = (w: ReturnType<typeof setup>['wrapper'], key: string) => w.find(`[data-test="field-${key}"]`);

describe('DynamicFieldForm', () => {
  it('renders one control per field kind, in template order, with labels, required marks and help', () => {
    const { wrapper } = setup();
    const items = wrapper.findAll('.dyn-field');
    expect(items.map((i) => i.attributes('data-kind'))).toEqual(FIELDS.map((f) => f.kind));
    expect(items.map((i) => i.find('.el-form-item__label').text())).toEqual(FIELDS.map((f) => f.label));
    expect(items.filter((i) => i.classes().includes('is-required')).length).toBe(3);
    expect(wrap(wrapper, 'device').find('input').exists()).toBe(true);
    expect(wrap(wrapper, 'details').find('textarea').exists()).toBe(true);
    expect(wrap(wrapper, 'amount').find('.el-input-number').exists()).toBe(true);
    expect(wrap(wrapper, 'when').find('.el-date-editor').exists()).toBe(true);
    expect(wrap(wrapper, 'os').find('.el-select').exists()).toBe(true);
    expect(wrap(wrapper, 'interests').findAll('.el-checkbox').length).toBe(2);
    expect(wrap(wrapper, 'remote').find('.el-checkbox').text()).toBe('是');
    expect(wrap(wrapper, 'owner').find('.el-select').exists()).toBe(true);
    expect(wrap(wrapper, 'order_no').find('input').attributes('placeholder')).toBe('订单号或资产编号');
    expect(wrap(wrapper, 'device').find('.help').text()).toBe('例如：ThinkPad X1');
    wrapper.unmount();
  });

  it('emits the whole value set on input, keyed by field key', async () => {
    const { wrapper, values } = setup();
    await wrap(wrapper, 'device').find('input').setValue('ThinkPad X1');
    await wrap(wrapper, 'details').find('textarea').setValue('第一行\n第二行');
    await wrap(wrapper, 'interests').findAll('input[type="checkbox"]')[1]!.setValue(true);
    await wrap(wrapper, 'remote').find('input[type="checkbox"]').setValue(true);
    expect(values.value).toMatchObject({ device: 'ThinkPad X1', details: '第一行\n第二行', interests: ['pricing'], remote: true, os: null });
    wrapper.unmount();
  });

  it('shows server errors on their fields, translated when the message is known', async () => {
    const { wrapper } = setup({ errors: { order_no: 'is required', amount: 'must be a number', os: 'something unexpected' } });
    const error = (key: string) => wrap(wrapper, key).element.closest('.el-form-item')!.querySelector('.el-form-item__error')?.textContent?.trim();
    // Element Plus renders the message through a transition: wait for it rather than a fixed tick.
    await vi.waitFor(() => expect(error('order_no')).toBe('此项必填'));
    expect(error('amount')).toBe('请输入数字');
    expect(error('os')).toBe('something unexpected');
    expect(error('device')).toBeUndefined();
    wrapper.unmount();
  });

  it('disables fields outside editableKeys, USER fields without choices, and everything when disabled', () => {
    const { wrapper } = setup({ editableKeys: ['device'] });
    expect(wrap(wrapper, 'device').find('input').attributes('disabled')).toBeUndefined();
    expect(wrap(wrapper, 'order_no').find('input').attributes('disabled')).toBeDefined();
    expect(wrap(wrapper, 'details').find('textarea').attributes('disabled')).toBeDefined();
    wrapper.unmount();
    const all = setup({ disabled: true });
    expect(wrap(all.wrapper, 'device').find('input').attributes('disabled')).toBeDefined();
    all.wrapper.unmount();
    const users = setup({ userOptions: [{ value: 'u1', label: '林晓燕', hint: '财务组' }] });
    expect(wrap(users.wrapper, 'owner').find('.el-select').classes()).not.toContain('is-disabled');
    users.wrapper.unmount();
  });

  it('follows the UI language', () => {
    const { wrapper } = setup({}, 'en');
    expect(wrap(wrapper, 'remote').find('.el-checkbox').text()).toBe('Yes');
    wrapper.unmount();
  });
});

describe('field values', () => {
  it('starts from empty values per kind, or from existing values', () => {
    expect(initialValues(FIELDS)).toEqual({ device: '', details: '', amount: null, when: null, os: null, interests: [], remote: false, owner: null, order_no: '' });
    expect(initialValues(FIELDS, [{ key: 'amount', value: 12.5 }, { key: 'interests', value: ['plans'] }, { key: 'gone', value: 'x' }])).toMatchObject({ amount: 12.5, interests: ['plans'] });
  });

  it('becomes fieldValues input: trimmed, empty as null, checkbox false kept, limited to keys', () => {
    const v = { ...initialValues(FIELDS), device: '  X1  ', details: ' keep  ', amount: 3, remote: false, order_no: '' };
    const input = toFieldValueInputs(FIELDS, v);
    expect(input).toContainEqual({ key: 'device', value: 'X1' });
    expect(input).toContainEqual({ key: 'details', value: ' keep  ' });
    expect(input).toContainEqual({ key: 'remote', value: false });
    expect(input).toContainEqual({ key: 'order_no', value: null });
    expect(input).toContainEqual({ key: 'interests', value: null });
    expect(toFieldValueInputs(FIELDS, v, ['amount'])).toEqual([{ key: 'amount', value: 3 }]);
    expect(changedKeys(FIELDS, initialValues(FIELDS), v)).toEqual(['device', 'details', 'amount']);
  });

  it('splits server field errors by custom field key and by input path', () => {
    expect(
      splitFieldErrors([
        { field: 'fieldValues.order_no', message: 'is required' },
        { field: 'values.amount', message: 'must be a number' },
        { field: 'title', message: 'is required' },
      ]),
    ).toEqual({ fields: { order_no: 'is required', amount: 'must be a number' }, other: { title: 'is required' } });
  });

  it('displays stored values by kind', () => {
    const os = FIELDS[4]!;
    expect(displayValue(os, 'linux')).toBe('Linux');
    expect(displayValue(FIELDS[5]!, ['plans', 'pricing'])).toBe('套餐、价格');
    expect(displayValue(FIELDS[6]!, false)).toBe('否');
    expect(displayValue(FIELDS[7]!, 'u1', new Map([['u1', '林晓燕']]))).toBe('林晓燕');
    expect(displayValue(FIELDS[0]!, '')).toBe('—');
  });
});
