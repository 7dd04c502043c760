import { describe, expect, it } from 'vitest';
import { normalizeFieldValue, validateFieldValues, validateTemplate, type FieldDefinition } from './template.ts';

const def = (key: string, o: Partial<FieldDefinition> = {}): FieldDefinition => ({
  key,
  label: key,
  kind: 'TEXT',
  required: false,
  customerVisible: true,
  editableAfterSubmit: false,
  editableBy: [],
  ...o,
});

describe('field values', () => {
  it.each([
    ['TEXT', ' 型号 X1 ', 'ok', '型号 X1'],
    ['TEXT', 'two\nlines', 'must be a single line', null],
    ['NUMBER', '12.5', 'ok', 12.5],
    ['NUMBER', 'abc', 'must be a number', null],
    ['DATE', '2026-02-30', 'is not a real date', null],
    ['DATE', '2026-02-28', 'ok', '2026-02-28'],
    ['CHECKBOX', 'yes', 'must be true or false', null],
    ['ORDER_REF', 'SO-2026/001', 'ok', 'SO-2026/001'],
    ['ORDER_REF', '订单一', 'must be an order or asset number (letters, digits, - _ . /)', null],
    ['USER', 'not-an-id', 'must be a user id', null],
  ] as const)('%s %j → %s', (kind, value, outcome, normalized) => {
    const r = normalizeFieldValue({ kind, options: null, maxLength: null }, value);
    if (outcome === 'ok') expect(r).toEqual({ ok: true, value: normalized });
    else expect(r).toEqual({ ok: false, message: outcome });
  });

  it('selects accept only their options, multi-selects without repeats', () => {
    const options = [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ];
    expect(normalizeFieldValue({ kind: 'SINGLE_SELECT', options }, 'c')).toEqual({ ok: false, message: 'is not one of the options' });
    expect(normalizeFieldValue({ kind: 'MULTI_SELECT', options }, ['a', 'a'])).toEqual({ ok: false, message: 'lists an option twice' });
    expect(normalizeFieldValue({ kind: 'MULTI_SELECT', options }, ['b', 'a'])).toEqual({ ok: true, value: ['b', 'a'] });
  });

  it('length limits count characters, not bytes', () => {
    expect(normalizeFieldValue({ kind: 'TEXT', maxLength: 3 }, '工单号')).toEqual({ ok: true, value: '工单号' });
    expect(normalizeFieldValue({ kind: 'TEXT', maxLength: 3 }, '工单号码')).toEqual({ ok: false, message: 'at most 3 characters' });
  });

  it('customers cannot see (or fill) internal fields, and internal required fields are not required of them', () => {
    const defs = [def('public', { required: true }), def('secret', { required: true, customerVisible: false })];
    const r = validateFieldValues(defs, [{ key: 'secret', value: 'x' }], { audience: 'customer', checkRequired: true });
    expect(r.errors).toEqual([
      { field: 'fieldValues.secret', message: 'no such field on this ticket type' },
      { field: 'fieldValues.public', message: 'is required' },
    ]);
    const internal = validateFieldValues(defs, [{ key: 'public', value: 'x' }], { audience: 'internal', checkRequired: true });
    expect(internal.errors).toEqual([{ field: 'fieldValues.secret', message: 'is required' }]);
  });
});

describe('templates', () => {
  it('a valid template passes', () => {
    expect(validateTemplate([def('device_model'), def('os', { kind: 'SINGLE_SELECT', options: [{ value: 'win', label: 'Windows' }] })])).toEqual([]);
  });

  it('keeps the kind of fields that hold values', () => {
    expect(validateTemplate([def('amount', { kind: 'TEXT' })], new Map([['amount', 'NUMBER']]))).toEqual([
      { field: 'fields.0.kind', message: 'cannot change from NUMBER: tickets hold values of this field; add a new field instead' },
    ]);
  });
});
